//! Server-rendered SVG charts. The cohort map: the checked-in outline of Europe with the cities
//! placed by the same projection that drew it (`urbis_domain::geo`).

use std::fmt::Write;
use std::sync::LazyLock;
use urbis_domain::geo::MapFrame;

static OUTLINE: &str = include_str!("../../../static/map/europe.svg");
static FRAME: LazyLock<MapFrame> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../static/map/europe.json")).expect("static/map/europe.json is valid")
});

/// The outline as a standalone SVG document, served once and cached by browsers
/// (`/static/map/europe.svg`), so that pages carry only the city markers.
pub static OUTLINE_DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let f = *FRAME;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><rect width="{w}" height="{h}" fill="#dfe8f5"/><g fill="#fbfbf7" stroke="#8c8f9a" stroke-width="0.6">{OUTLINE}</g></svg>"##,
        w = f.width,
        h = f.height
    )
});

/// One place on the map.
pub struct MapPoint<'a> {
    pub label: &'a str,
    pub href: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    /// CSS class of the marker (e.g. the participation status).
    pub class: &'a str,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An accessible SVG map: a labelled group (`role="group"`, named by its title and described by its
/// description; not `role="img"`, whose children screen readers skip, because each marker is a
/// focusable link with its own title). The page puts the same data in a table beside it.
pub fn europe_map(title: &str, desc: &str, points: &[MapPoint]) -> String {
    let f = *FRAME;
    let mut s = String::with_capacity(8192);
    let _ = write!(
        s,
        r#"<svg class="map" viewBox="0 0 {w} {h}" role="group" aria-labelledby="map-title" aria-describedby="map-desc" xmlns="http://www.w3.org/2000/svg"><title id="map-title">{t}</title><desc id="map-desc">{d}</desc>"#,
        w = f.width,
        h = f.height,
        t = esc(title),
        d = esc(desc)
    );
    let _ = write!(
        s,
        r#"<image href="/static/map/europe.svg" aria-hidden="true" x="0" y="0" width="{w}" height="{h}"/><g class="map-cities">"#,
        w = f.width,
        h = f.height
    );
    for p in points {
        let (x, y) = f.project(p.latitude, p.longitude);
        if !f.contains((x, y)) {
            continue;
        }
        let _ = write!(
            s,
            r#"<a href="{href}" class="map-city {class}"><title>{label}</title><circle cx="{x:.1}" cy="{y:.1}" r="6"/></a>"#,
            href = esc(p.href),
            class = esc(p.class),
            label = esc(p.label),
        );
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_places_cities_inside_the_frame_and_escapes_text() {
        let pts = [
            MapPoint {
                label: "Riga",
                href: "/cities/riga",
                latitude: 56.9496,
                longitude: 24.1052,
                class: "participating",
            },
            MapPoint {
                label: "Reykjavík",
                href: "/cities/reykjavik",
                latitude: 64.1466,
                longitude: -21.9426,
                class: "participating",
            },
            MapPoint { label: "Nowhere", href: "/x", latitude: -33.0, longitude: 151.0, class: "x" },
        ];
        let svg = europe_map("Cohort <map>", "21 cities", &pts);
        assert!(svg.contains("<title id=\"map-title\">Cohort &lt;map&gt;</title>"));
        assert_eq!(svg.matches("<circle").count(), 2, "a point outside the frame is left out");
        let f = *FRAME;
        let (rx, _) = f.project(56.9496, 24.1052);
        let (kx, _) = f.project(64.1466, -21.9426);
        assert!(kx < rx, "Reykjavik lies west of Riga");
    }
}
