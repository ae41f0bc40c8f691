//! Map projection for the cohort map: spherical Lambert azimuthal equal-area.
//!
//! The same formula made the checked-in outline `static/map/europe.svg` (see `scripts/map/`); its
//! parameters live in `static/map/europe.json`, so outline and city markers always agree.

use serde::Deserialize;

/// Parameters of the projected frame: centre, and the affine map from projected units to SVG pixels.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct MapFrame {
    pub lat0: f64,
    pub lon0: f64,
    pub xmin: f64,
    pub ymax: f64,
    pub scale: f64,
    pub width: f64,
    pub height: f64,
}

impl MapFrame {
    /// Project a WGS84 point to SVG pixel coordinates `(x, y)`, y growing downwards.
    ///
    /// `k = sqrt(2 / (1 + sin φ0 sin φ + cos φ0 cos φ cos(λ − λ0)))`,
    /// `x = k cos φ sin(λ − λ0)`, `y = k (cos φ0 sin φ − sin φ0 cos φ cos(λ − λ0))`,
    /// then `svg_x = (x − xmin) × scale`, `svg_y = (ymax − y) × scale`.
    pub fn project(&self, latitude: f64, longitude: f64) -> (f64, f64) {
        let (phi, lam) = (latitude.to_radians(), longitude.to_radians());
        let (phi0, lam0) = (self.lat0.to_radians(), self.lon0.to_radians());
        let dl = lam - lam0;
        let k = (2.0 / (1.0 + phi0.sin() * phi.sin() + phi0.cos() * phi.cos() * dl.cos())).sqrt();
        let x = k * phi.cos() * dl.sin();
        let y = k * (phi0.cos() * phi.sin() - phi0.sin() * phi.cos() * dl.cos());
        ((x - self.xmin) * self.scale, (self.ymax - y) * self.scale)
    }

    /// Is a projected point inside the frame?
    pub fn contains(&self, p: (f64, f64)) -> bool {
        (0.0..=self.width).contains(&p.0) && (0.0..=self.height).contains(&p.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_projects_to_origin_offset() {
        let f = MapFrame { lat0: 52.0, lon0: 10.0, xmin: -1.0, ymax: 1.0, scale: 100.0, width: 200.0, height: 200.0 };
        let (x, y) = f.project(52.0, 10.0);
        assert!((x - 100.0).abs() < 1e-9 && (y - 100.0).abs() < 1e-9);
        // East is right, north is up.
        let (xe, _) = f.project(52.0, 20.0);
        let (_, yn) = f.project(60.0, 10.0);
        assert!(xe > x && yn < y);
        // A known value: on the equator-centred sphere, 90° away maps to k = sqrt(2).
        let g = MapFrame { lat0: 0.0, lon0: 0.0, xmin: 0.0, ymax: 0.0, scale: 1.0, width: 1.0, height: 1.0 };
        let (x90, y90) = g.project(0.0, 90.0);
        assert!((x90 - 2f64.sqrt()).abs() < 1e-12 && y90.abs() < 1e-12);
    }
}
