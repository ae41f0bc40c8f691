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

/// The opening of a chart: an image (`role="img"`) of CSS class `class` and size `(width, height)`,
/// named by its title and described by its description, whose ids begin with `id` (unique on the
/// page). The page shows the chart's data in a table beside it.
fn image(class: &str, (width, height): (f64, f64), id: &str, title: &str, desc: &str) -> String {
    format!(
        r#"<svg class="{class}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    )
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

/// One series of a radar chart: a name, a CSS class and a value (0–100) per axis.
pub struct RadarSeries<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A radar chart of scores 0–100 on several axes, with rings at 25, 50, 75 and 100. It is an
/// image (`role="img"`) with a title and a description; the page shows the data as a table.
pub fn radar(title: &str, desc: &str, axes: &[String], series: &[RadarSeries]) -> String {
    let (cx, cy, r) = (300.0, 240.0, 150.0);
    let n = axes.len().max(1) as f64;
    let point = |i: usize, v: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n;
        (cx + r * v / 100.0 * a.cos(), cy + r * v / 100.0 * a.sin())
    };
    let mut s = image("radar", (600.0, 480.0), "radar", title, desc);
    s.push_str(r#"<g class="radar-grid">"#);
    for ring in [25.0, 50.0, 75.0, 100.0] {
        let pts: Vec<String> = (0..axes.len()).map(|i| point(i, ring)).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(s, r#"<polygon points="{}"/>"#, pts.join(" "));
    }
    for (i, label) in axes.iter().enumerate() {
        let (x, y) = point(i, 100.0);
        let _ = write!(s, r#"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}"/>"#);
        let (lx, ly) = point(i, 116.0);
        let anchor = if (lx - cx).abs() < 10.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let lines = wrap(label, 18);
        // Labels above the centre grow upwards, so their last line sits next to the axis.
        let first_y = if ly < cy { ly - 15.0 * (lines.len() as f64 - 1.0) } else { ly };
        let _ = write!(s, r#"<text x="{lx:.1}" y="{first_y:.1}" text-anchor="{anchor}">"#);
        for (k, line) in lines.iter().enumerate() {
            let dy = if k == 0 { 0.0 } else { 15.0 };
            let _ = write!(s, r#"<tspan x="{lx:.1}" dy="{dy}">{}</tspan>"#, esc(line));
        }
        s.push_str("</text>");
    }
    s.push_str("</g>");
    for se in series {
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| point(i, v.unwrap_or(0.0)))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(s, r#"<polygon class="radar-series {}" points="{}"/>"#, esc(se.class), pts.join(" "));
    }
    s.push_str("</svg>");
    s
}

/// Break a label into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The colour band (1–5) of a score 0–100, for heat maps: the level whose bound it reaches.
pub fn band(score: f64) -> u8 {
    match score {
        s if s >= 100.0 => 5,
        s if s >= 75.0 => 4,
        s if s >= 50.0 => 3,
        s if s >= 25.0 => 2,
        _ => 1,
    }
}

/// A heat map: rows (cities) × columns (capabilities), each cell coloured by its score's band and
/// labelled with the rounded score. An image with title and description; the page adds the table.
pub fn heat_map(title: &str, desc: &str, columns: &[String], rows: &[(String, Vec<Option<f64>>)]) -> String {
    let (label_w, cell_w, cell_h, head_h) = (150.0, 100.0, 26.0, 58.0);
    let width = label_w + cell_w * columns.len() as f64;
    let height = head_h + cell_h * rows.len() as f64;
    let mut s = image("heat-map", (width, height), "heat", title, desc);
    for (j, c) in columns.iter().enumerate() {
        let x = label_w + cell_w * (j as f64 + 0.5);
        let lines = wrap(c, 15);
        let first_y = head_h - 8.0 - 12.0 * (lines.len() as f64 - 1.0);
        let _ = write!(s, r#"<text class="heat-head" x="{x:.1}" y="{first_y:.1}" text-anchor="middle">"#);
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(s, r#"<tspan x="{x:.1}" dy="{}">{}</tspan>"#, if k == 0 { 0.0 } else { 12.0 }, esc(line));
        }
        s.push_str("</text>");
    }
    for (i, (name, values)) in rows.iter().enumerate() {
        let y = head_h + cell_h * i as f64;
        let _ = write!(
            s,
            r#"<text class="heat-row" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + cell_h * 0.68,
            esc(name)
        );
        for (j, v) in values.iter().enumerate() {
            let x = label_w + cell_w * j as f64;
            let (class, text) = match v {
                Some(v) => (format!("band-{}", band(*v)), format!("{v:.0}")),
                None => ("band-none".to_string(), "–".to_string()),
            };
            let _ = write!(
                s,
                r#"<rect class="heat-cell {class}" x="{x:.1}" y="{y:.1}" width="{cell_w}" height="{cell_h}"/><text class="heat-value {class}" x="{:.1}" y="{:.1}" text-anchor="middle">{text}</text>"#,
                x + cell_w / 2.0,
                y + cell_h * 0.68
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn radar_places_values_on_axes() {
        let axes = vec!["A".to_string(), "B".to_string(), "C".to_string(), "D".to_string()];
        let svg = radar(
            "T",
            "D",
            &axes,
            &[RadarSeries { name: "x", class: "city", values: vec![Some(100.0), Some(50.0), None, Some(0.0)] }],
        );
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"radar-title\">T</title>"));
        // Axis 0 points up: 100 lies on the outer ring straight above the centre.
        assert!(
            svg.contains(r#"class="radar-series city" points="300.0,90.0 375.0,240.0 300.0,240.0 300.0,240.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches("<text").count(), 4);
        assert_eq!(
            wrap("Building an infrastructure for the use of data", 18),
            ["Building an", "infrastructure for", "the use of data"]
        );
    }

    #[test]
    fn heat_map_bands() {
        assert_eq!((band(0.0), band(24.9), band(25.0), band(74.9), band(75.0), band(100.0)), (1, 1, 2, 3, 4, 5));
        let svg = heat_map("T", "D", &["V".into(), "G".into()], &[("Riga".into(), vec![Some(80.0), None])]);
        assert!(svg.contains("band-4") && svg.contains(">80<") && svg.contains("band-none"));
    }
}

/// One series of a line chart: a name, a CSS class and its points in date order.
pub struct LineSeries<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub points: Vec<(chrono::NaiveDate, f64)>,
}

/// The reference lines of an indicator chart: the baseline and the target (value and date), drawn
/// as horizontal lines, and the trajectory between them (the path that meets the target on time).
pub struct GoalLines<'a> {
    pub baseline: (chrono::NaiveDate, f64),
    pub target: (chrono::NaiveDate, f64),
    /// Labels of the baseline, target and trajectory lines.
    pub labels: [&'a str; 3],
}

/// A short number for an axis label: no decimals for large values, up to two for small ones.
fn tick_label(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The most points of a series a line chart marks one by one (see [`line_chart`]).
pub const MAX_MARKERS: usize = 60;

/// A line chart of values over time with the goal's baseline, target and trajectory. `id` makes the
/// title and description ids unique on a page with several charts. An image with a title and a
/// description; the page shows the data in a table beside it.
pub fn line_chart(id: &str, title: &str, desc: &str, series: &[LineSeries], goal: &GoalLines) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 320.0, 60.0, 20.0, 16.0, 44.0);
    let mut dates: Vec<chrono::NaiveDate> = vec![goal.baseline.0, goal.target.0];
    let mut values: Vec<f64> = vec![goal.baseline.1, goal.target.1];
    for s in series {
        dates.extend(s.points.iter().map(|p| p.0));
        values.extend(s.points.iter().map(|p| p.1));
    }
    let (d0, d1) = (*dates.iter().min().unwrap_or(&goal.baseline.0), *dates.iter().max().unwrap_or(&goal.target.0));
    let (mut v0, mut v1) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if (v1 - v0).abs() < 1e-9 {
        v0 -= 1.0;
        v1 += 1.0;
    }
    let pad = (v1 - v0) * 0.1;
    let (v0, v1) = (v0 - pad, v1 + pad);
    let span_days = ((d1 - d0).num_days()).max(1) as f64;
    let x = |d: chrono::NaiveDate| left + (w - left - right) * (d - d0).num_days() as f64 / span_days;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - v0) / (v1 - v0));
    let mut s = image("line-chart", (w, h), id, title, desc);
    s.push_str(r#"<g class="chart-axes">"#);
    for k in 0..=4 {
        let v = v0 + (v1 - v0) * k as f64 / 4.0;
        let _ = write!(
            s,
            r#"<line x1="{left}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{}</text>"#,
            tick_label(v),
            yy = y(v),
            x2 = w - right,
            tx = left - 6.0,
            ty = y(v) + 4.0
        );
    }
    for (d, anchor) in [(d0, "start"), (d1, "end")] {
        let _ = write!(s, r#"<text x="{:.1}" y="{}" text-anchor="{anchor}">{d}</text>"#, x(d), h - bottom + 18.0);
    }
    s.push_str("</g>");
    let (bd, bv) = goal.baseline;
    let (td, tv) = goal.target;
    let _ = write!(
        s,
        r#"<g class="chart-goal"><line class="line-baseline" x1="{left}" y1="{by:.1}" x2="{x2}" y2="{by:.1}"><title>{}</title></line><line class="line-target" x1="{left}" y1="{ty:.1}" x2="{x2}" y2="{ty:.1}"><title>{}</title></line><line class="line-trajectory" x1="{bx:.1}" y1="{by:.1}" x2="{tx:.1}" y2="{ty:.1}"><title>{}</title></line></g>"#,
        esc(goal.labels[0]),
        esc(goal.labels[1]),
        esc(goal.labels[2]),
        by = y(bv),
        ty = y(tv),
        bx = x(bd),
        tx = x(td),
        x2 = w - right,
    );
    for se in series {
        if se.points.is_empty() {
            continue;
        }
        let pts: Vec<String> = se.points.iter().map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v))).collect();
        let _ = write!(s, r#"<g class="line-series {}"><polyline points="{}"/>"#, esc(se.class), pts.join(" "));
        // A marker (with its value on hover) for each point while they can be told apart; a long
        // series keeps its line and marks only its latest point (the exact values are in the
        // measurements table and its paged list), so the page does not grow with the history.
        let marked = if se.points.len() > MAX_MARKERS { &se.points[se.points.len() - 1..] } else { &se.points[..] };
        for (d, v) in marked {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4"><title>{}: {d} {}</title></circle>"#,
                x(*d),
                y(*v),
                esc(se.name),
                tick_label(*v)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod line_chart_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn line_chart_places_goal_and_series() {
        let d = |m, day| NaiveDate::from_ymd_opt(2021, m, day).unwrap();
        let svg = line_chart(
            "ind-1",
            "Online <share>",
            "From 40 to 80",
            &[LineSeries { name: "Total", class: "series-0", points: vec![(d(2, 20), 58.0)] }],
            &GoalLines {
                baseline: (d(1, 1), 40.0),
                target: (d(4, 11), 80.0),
                labels: ["Baseline", "Target", "Trajectory"],
            },
        );
        assert!(svg.contains(r#"<title id="ind-1-title">Online &lt;share&gt;</title>"#), "{svg}");
        assert!(svg.contains(r#"aria-labelledby="ind-1-title ind-1-desc""#));
        // Values 40..80 padded by 4: the baseline (40) sits at y = 16 + 260 × (1 − 4/48).
        assert!(svg.contains(r#"class="line-baseline" x1="60" y1="254.3""#), "{svg}");
        // 2021-02-20 is day 50 of 100: halfway across the plot (60 + 560 / 2).
        assert!(svg.contains(r#"<circle cx="340.0""#), "{svg}");
        assert!(svg.contains("<title>Total: 2021-02-20 58</title>"));
        assert_eq!(svg.matches("class=\"line-series").count(), 1);
    }
}

/// A horizontal stacked bar chart of counts: one bar per row, one segment per category (its CSS
/// class and label). An image with a title and a description; the page gives the table beside it.
pub fn stacked_bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[(&str, String)],
    rows: &[(String, Vec<usize>)],
) -> String {
    let (label_w, bar_w, bar_h, gap) = (150.0, 420.0, 24.0, 12.0);
    let width = label_w + bar_w + 50.0;
    let height = (bar_h + gap) * rows.len() as f64 + gap;
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1) as f64;
    let mut s = image("bar-chart", (width, height), id, title, desc);
    for (i, (label, counts)) in rows.iter().enumerate() {
        let y = gap + (bar_h + gap) * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(label)
        );
        let mut x = label_w;
        for ((class, name), n) in categories.iter().zip(counts) {
            if *n == 0 {
                continue;
            }
            let w = bar_w * *n as f64 / max;
            let _ = write!(
                s,
                r#"<rect class="bar {}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{bar_h}"><title>{}: {n}</title></rect>"#,
                esc(class),
                esc(name)
            );
            x += w;
        }
        let total: usize = counts.iter().sum();
        let _ = write!(s, r#"<text x="{:.1}" y="{:.1}">{total}</text>"#, x + 6.0, y + bar_h * 0.7);
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod stacked_bar_tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_total() {
        let cats = [("achieved", "Achieved".to_string()), ("off_track", "Off track".to_string())];
        let svg = stacked_bars(
            "r",
            "T",
            "D",
            &cats,
            &[("Housing".into(), vec![2, 2]), ("Jobs".into(), vec![1, 0]), ("Health".into(), vec![0, 0])],
        );
        assert!(svg.contains(r#"aria-labelledby="r-title r-desc""#));
        // Housing has the largest total (4): its two segments fill the 420-unit bar.
        assert!(svg.contains(r#"class="bar achieved" x="150.0" y="12.0" width="210.0""#), "{svg}");
        assert!(svg.contains(r#"class="bar off_track" x="360.0" y="12.0" width="210.0""#), "{svg}");
        assert!(svg.contains("<title>Achieved: 1</title>"));
        assert_eq!(svg.matches("<rect").count(), 3, "empty segments are left out");
    }
}

/// A horizontal bar chart: one bar per label, its length the value's share of `max`, labelled with
/// the value. `id` makes the title and description ids unique when a page shows several charts. An
/// image with title and description; the page adds a table with the same figures.
pub fn bar_chart(id: &str, title: &str, desc: &str, bars: &[(String, f64)], max: f64) -> String {
    let (label_w, bar_w, bar_h, gap) = (230.0, 300.0, 22.0, 8.0);
    let width = label_w + bar_w + 60.0;
    let height = (bar_h + gap) * bars.len() as f64 + gap;
    let mut s = image("bar-chart", (width, height), &esc(id), title, desc);
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = gap + (bar_h + gap) * i as f64;
        let w = if max > 0.0 { (value / max).clamp(0.0, 1.0) * bar_w } else { 0.0 };
        let text = wrap(label, 34).into_iter().next().unwrap_or_default();
        let text = if text.len() < label.len() { format!("{text}…") } else { text };
        let _ = write!(
            s,
            r#"<text class="bar-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_w}" y="{y:.1}" width="{w:.1}" height="{bar_h}"/><text class="bar-value" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(&text),
            label_w + w + 6.0,
            y + bar_h * 0.7,
            if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod bar_chart_tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_maximum_and_name_themselves() {
        let svg = bar_chart("q1", "Answers <1>", "D", &[("Yes".into(), 3.0), ("No".into(), 6.0)], 6.0);
        assert!(svg.contains(r#"aria-labelledby="q1-title q1-desc""#));
        assert!(svg.contains("<title id=\"q1-title\">Answers &lt;1&gt;</title>"));
        assert!(svg.contains(r#"width="150.0""#) && svg.contains(r#"width="300.0""#), "{svg}");
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        let empty = bar_chart("q2", "T", "D", &[("Yes".into(), 0.0)], 0.0);
        assert!(empty.contains(r#"width="0.0""#));
    }
}
