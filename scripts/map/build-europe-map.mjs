// Builds the Europe base map used by the Urbis web server.
//
//   cd scripts/map && npm ci && node build-europe-map.mjs
//
// Input:  world-atlas/countries-50m.json (Natural Earth 1:50m, public domain)
// Output: ../../static/map/europe.svg   SVG fragment: <g class="map-land"> with one
//                                       <path class="map-country"> per country
//         ../../static/map/europe.json  projection parameters; the server places
//                                       cities with the same maths (see README.md)
//
// Projection: spherical Lambert azimuthal equal-area on the unit sphere,
// centred on lat0 = 52°N, lon0 = 10°E:
//   k = sqrt(2 / (1 + sin(lat0) sin(lat) + cos(lat0) cos(lat) cos(lon - lon0)))
//   x = k cos(lat) sin(lon - lon0)
//   y = k (cos(lat0) sin(lat) - sin(lat0) cos(lat) cos(lon - lon0))
//   svg_x = (x - xmin) * scale,  svg_y = (ymax - y) * scale

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, "../../static/map");

const LAT0 = 52;
const LON0 = 10;
const WIDTH = 800;
const MARGIN = 0.03; // fraction of the projected extent added on every side
const MIN_STEP_PX = 0.6; // drop points closer than this to the last kept point
const MIN_RING_AREA_PX2 = 0.5; // drop rings (islets) smaller than this

// Points (lon, lat) the frame must contain: Iceland (west), northern
// Scandinavia (north), Cyprus (east/south), Portugal/Gibraltar (south-west),
// Malta (south, near the central meridian).
const EXTENT_POINTS = [
  [-25, 63],
  [-24.5, 66.5],
  [30, 71],
  [25.8, 71.2],
  [15, 69.5],
  [35, 34],
  [35, 36],
  [-10, 35],
  [-10, 44],
  [14.5, 35.5],
];

const rad = Math.PI / 180;
const sinLat0 = Math.sin(LAT0 * rad);
const cosLat0 = Math.cos(LAT0 * rad);

function project(lon, lat) {
  const phi = lat * rad;
  const dl = (lon - LON0) * rad;
  const cosPhi = Math.cos(phi);
  const sinPhi = Math.sin(phi);
  const cosDl = Math.cos(dl);
  const k = Math.sqrt(2 / (1 + sinLat0 * sinPhi + cosLat0 * cosPhi * cosDl));
  return [k * cosPhi * Math.sin(dl), k * (cosLat0 * sinPhi - sinLat0 * cosPhi * cosDl)];
}

// --- Frame -----------------------------------------------------------------
const projected = EXTENT_POINTS.map(([lon, lat]) => project(lon, lat));
let xmin = Math.min(...projected.map((p) => p[0]));
let xmax = Math.max(...projected.map((p) => p[0]));
let ymin = Math.min(...projected.map((p) => p[1]));
let ymax = Math.max(...projected.map((p) => p[1]));
const dx = (xmax - xmin) * MARGIN;
const dy = (ymax - ymin) * MARGIN;
// Round the published parameters and use exactly the rounded values, so the
// server (which reads europe.json) reproduces the same placement.
const round = (v, d) => Number(v.toFixed(d));
xmin = round(xmin - dx, 6);
xmax = round(xmax + dx, 6);
ymin = round(ymin - dy, 6);
ymax = round(ymax + dy, 6);
const scale = round(WIDTH / (xmax - xmin), 4);
const height = Math.round((ymax - ymin) * scale);

const toSvg = ([x, y]) => [(x - xmin) * scale, (ymax - y) * scale];

// --- Geometry ----------------------------------------------------------------
const atlasPath = require.resolve("world-atlas/countries-50m.json");
const atlasVersion = JSON.parse(
  readFileSync(require.resolve("world-atlas/package.json"), "utf8"),
).version;
const topology = JSON.parse(readFileSync(atlasPath, "utf8"));
const countries = feature(topology, topology.objects.countries).features;

const fmt = (v) => {
  const s = v.toFixed(1);
  return s.endsWith(".0") ? s.slice(0, -2) : s === "-0" ? "0" : s;
};

function ringArea(pts) {
  let a = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    a += pts[j][0] * pts[i][1] - pts[i][0] * pts[j][1];
  }
  return Math.abs(a / 2);
}

function ringPath(ring) {
  // Simplify: keep a point only if it is at least MIN_STEP_PX from the last kept one.
  const kept = [];
  for (const p of ring) {
    const last = kept[kept.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= MIN_STEP_PX) kept.push(p);
  }
  // Round and drop consecutive duplicates created by rounding (and the closing point).
  const out = [];
  for (const [x, y] of kept) {
    const s = [fmt(x), fmt(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== s[0] || last[1] !== s[1]) out.push(s);
  }
  while (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) {
    out.pop();
  }
  if (out.length < 3) return "";
  if (ringArea(out.map(([x, y]) => [Number(x), Number(y)])) < MIN_RING_AREA_PX2) return "";
  return "M" + out.map(([x, y]) => `${x},${y}`).join("L") + "Z";
}

const inFrame = ([x, y]) => x >= 0 && x <= WIDTH && y >= 0 && y <= height;

function bboxHitsFrame(ring) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of ring) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 >= 0 && x0 <= WIDTH && y1 >= 0 && y0 <= height;
}

const paths = [];
const kept = [];
for (const f of countries) {
  if (!f.geometry) continue;
  const polys =
    f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  const rings = polys.flatMap((poly) => poly.map((ring) => ring.map(([lon, lat]) => toSvg(project(lon, lat)))));
  if (!rings.some((ring) => ring.some(inFrame))) continue;
  // Rings whose bounding box misses the frame are invisible: drop them whole
  // (e.g. Russian Arctic and Pacific islands). Visible rings are never cut.
  const d = rings.filter(bboxHitsFrame).map(ringPath).join("");
  if (!d) continue;
  paths.push(`<path class="map-country" d="${d}"/>`);
  kept.push(f.properties?.name ?? f.id);
}

mkdirSync(outDir, { recursive: true });
const svg = `<g class="map-land">\n${paths.join("\n")}\n</g>\n`;
writeFileSync(resolve(outDir, "europe.svg"), svg);

const meta = {
  source: `Natural Earth 1:50m via world-atlas ${atlasVersion} (public domain)`,
  projection: "laea",
  lat0: LAT0,
  lon0: LON0,
  xmin,
  ymax,
  scale,
  width: WIDTH,
  height,
};
writeFileSync(resolve(outDir, "europe.json"), JSON.stringify(meta) + "\n");

console.log(
  `frame: xmin=${xmin} xmax=${xmax} ymin=${ymin} ymax=${ymax} scale=${scale} ` +
    `size=${WIDTH}x${height}`,
);
console.log(`${kept.length} countries, europe.svg ${Buffer.byteLength(svg)} bytes`);
console.log(kept.sort().join(", "));
