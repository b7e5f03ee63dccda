//! SVG charts drawn with plotters: lines over time for the HTML report, and
//! grouped bars for the benchmark results.
//!
//! plotters is built without its font features (no fontconfig, no font
//! files): text goes into the SVG as `<text>` and the viewer's own
//! sans-serif draws it; plotters only estimates its width for layout.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The series colours, in order: blue, orange, red, green, purple.
pub const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

const FONT: &str = "sans-serif";

/// One line of a [`lines`] chart.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed and thin: a limit rather than a measurement.
    pub dashed: bool,
}

/// Axes and size of a chart.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub width: u32,
    pub height: u32,
}

/// An upper bound for an axis that shows `max` with some headroom, and
/// stays a usable range when everything is 0.
fn axis_top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

/// A line chart of `lines` over a shared x axis, as an SVG document.
pub fn lines(frame: &Frame<'_>, lines: &[Line]) -> anyhow::Result<String> {
    let all = || lines.iter().flat_map(|line| line.points.iter());
    let x_max = all().map(|p| p.0).fold(0.0, f64::max).max(1.0);
    let y_max = axis_top(
        lines
            .iter()
            .filter(|line| !line.dashed)
            .flat_map(|line| line.points.iter())
            .map(|p| p.1)
            .fold(0.0, f64::max),
    );
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (frame.width, frame.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(frame.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc(frame.x_desc)
            .y_desc(frame.y_desc)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .x_label_formatter(&|x| short_number(*x))
            .y_label_formatter(&|y| short_number(*y))
            .draw()?;
        for line in lines {
            let color = line.color;
            let style = if line.dashed {
                color.stroke_width(1)
            } else {
                color.stroke_width(2)
            };
            // A limit above everything measured would squash the data.
            let points: Vec<(f64, f64)> = line
                .points
                .iter()
                .copied()
                .filter(|p| !line.dashed || p.1 <= y_max)
                .collect();
            if points.is_empty() {
                continue;
            }
            let series = if line.dashed {
                chart.draw_series(DashedLineSeries::new(points, 6, 4, style))?
            } else {
                chart.draw_series(LineSeries::new(points, style))?
            };
            series.label(line.name.as_str()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// Values of one category in a [`bars`] chart, one per series.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub values: Vec<f64>,
}

/// One panel of grouped horizontal bars.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<String>,
    pub groups: Vec<Group>,
}

/// Panels side by side, each a horizontal bar per (category, series), the
/// value written at the end of each bar, as an SVG document.
pub fn bars(title: &str, panels: &[Panel]) -> anyhow::Result<String> {
    let rows = panels
        .iter()
        .map(|panel| panel.groups.len() * panel.series.len().max(1))
        .max()
        .unwrap_or(1);
    let groups = panels
        .iter()
        .map(|panel| panel.groups.len())
        .max()
        .unwrap_or(1);
    let height = u32::try_from(110 + rows * 14 + groups * 10).unwrap_or(4000);
    let width = u32::try_from(560 * panels.len().max(1)).unwrap_or(4000);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, (FONT, 18))?;
        let areas = root.split_evenly((1, panels.len().max(1)));
        for (area, panel) in areas.iter().zip(panels) {
            bar_panel(area, panel)?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn bar_panel(area: &DrawingArea<SVGBackend<'_>, Shift>, panel: &Panel) -> anyhow::Result<()> {
    let x_max = axis_top(
        panel
            .groups
            .iter()
            .flat_map(|group| group.values.iter().copied())
            .fold(0.0, f64::max),
    ) * 1.1;
    #[allow(clippy::cast_precision_loss)]
    let y_max = panel.groups.len().max(1) as f64;
    let label_width = panel
        .groups
        .iter()
        .map(|group| group.name.chars().count())
        .max()
        .unwrap_or(0);
    let label_width = u32::try_from(label_width * 7 + 12).unwrap_or(200).min(220);
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{} ({})", panel.title, panel.unit), (FONT, 15))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(panel.unit.as_str())
        .label_style((FONT, 11))
        .axis_desc_style((FONT, 12))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .x_label_formatter(&|x| short_number(*x))
        .draw()?;
    let series = panel.series.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let bar = 0.8 / series as f64;
    // Texts go onto the panel's own area, whose origin is not the chart's
    // (the SVG's) origin.
    let (base_x, base_y) = area.get_base_pixel();
    let at = |point: (f64, f64), dx: i32| {
        let (x, y) = chart.backend_coord(&point);
        (x - base_x + dx, y - base_y)
    };
    let mut texts = Vec::new();
    let mut rectangles: Vec<Vec<Rectangle<(f64, f64)>>> = Vec::new();
    for s in 0..panel.series.len() {
        let color = PALETTE[s % PALETTE.len()];
        let mut bars = Vec::new();
        for (g, group) in panel.groups.iter().enumerate() {
            let Some(value) = group.values.get(s).copied().filter(|v| v.is_finite()) else {
                continue;
            };
            // Category 0 at the top; each category's bars in series order.
            #[allow(clippy::cast_precision_loss)]
            let top = y_max - g as f64 - 0.1 - bar * s as f64;
            bars.push(Rectangle::new(
                [(0.0, top - bar), (value, top)],
                color.filled(),
            ));
            let style = (FONT, 10).into_font().color(&RGBColor(60, 60, 60));
            texts.push((
                short_number(value),
                at((value, top - bar / 2.0), 3),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ));
        }
        rectangles.push(bars);
    }
    for (g, group) in panel.groups.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let middle = y_max - g as f64 - 0.5;
        let style = (FONT, 11).into_font().color(&BLACK);
        texts.push((
            group.name.clone(),
            at((0.0, middle), -6),
            style.pos(Pos::new(HPos::Right, VPos::Center)),
        ));
    }
    for ((name, bars), s) in panel.series.iter().zip(rectangles).zip(0..) {
        let color = PALETTE[s % PALETTE.len()];
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    for (text, position, style) in &texts {
        area.draw(&Text::new(text.as_str(), *position, style.clone()))?;
    }
    if panel.series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, 11))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
    }
    Ok(())
}

/// `12,345` as `12.3k`, `0.50` as `0.5`: axis and bar labels stay short.
pub fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    let text = if magnitude >= 1_000_000.0 {
        format!("{:.1}M", value / 1_000_000.0)
    } else if magnitude >= 10_000.0 {
        format!("{:.1}k", value / 1000.0)
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    // 12.0k -> 12k, 1.50 -> 1.5, 2.0 -> 2: no digit that says nothing.
    let (number, unit) = text.split_at(text.trim_end_matches(['k', 'M']).len());
    if number.contains('.') {
        format!(
            "{}{unit}",
            number.trim_end_matches('0').trim_end_matches('.')
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short() {
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(0.253), "0.25");
        assert_eq!(short_number(2.39), "2.4");
        assert_eq!(short_number(265.0), "265");
        assert_eq!(short_number(4705.0), "4705");
        assert_eq!(short_number(11_655.0), "11.7k");
        assert_eq!(short_number(12_000.0), "12k");
        assert_eq!(short_number(0.5), "0.5");
        assert_eq!(short_number(2.0), "2");
        assert_eq!(short_number(1_250_000.0), "1.2M");
    }

    #[test]
    fn a_line_chart_draws_every_point() {
        let frame = Frame {
            title: "t",
            x_desc: "s",
            y_desc: "req/s",
            width: 400,
            height: 200,
        };
        let line = Line {
            name: "all".into(),
            color: PALETTE[0],
            points: (0..5).map(|i| (f64::from(i), f64::from(i * 10))).collect(),
            dashed: false,
        };
        let svg = lines(&frame, &[line]).expect("chart");
        assert!(svg.starts_with("<svg"), "{svg}");
        let polyline = svg
            .lines()
            .find(|l| l.contains("<polyline") && l.matches(',').count() == 5)
            .expect("a polyline of five points");
        assert!(polyline.contains("stroke-width=\"2\""), "{polyline}");
    }

    #[test]
    fn a_bar_chart_labels_its_groups_and_values() {
        let panel = Panel {
            title: "throughput".into(),
            unit: "req/s".into(),
            series: vec!["req/s".into()],
            groups: vec![
                Group {
                    name: "sqlite Q1".into(),
                    values: vec![11_655.0],
                },
                Group {
                    name: "postgres Q1".into(),
                    values: vec![6534.0],
                },
            ],
        };
        let svg = bars("oha", &[panel.clone(), panel]).expect("chart");
        // plotters writes each text on a line of its own.
        assert_eq!(
            svg.lines().filter(|l| *l == "sqlite Q1").count(),
            2,
            "{svg}"
        );
        assert!(svg.lines().any(|l| l == "11.7k"), "{svg}");
    }
}
