//! Terminal output helpers: progress bars and aligned tables.

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar with count, rate and ETA; hidden when stderr is not a terminal.
pub fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template =
        format!("{{msg:30!}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}} left)");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A bar over bytes of input, for imports.
pub fn bytes_bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg:40!} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}) {prefix}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Print rows as a left-aligned table; numbers are right-aligned.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    // Standard output gone (a closed pipe ends the process first): nothing to tell.
    let _ = write_table(&mut std::io::stdout().lock(), header, rows);
}

/// [`print_table`], to any writer.
pub fn write_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut line = |cells: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                if !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit()) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        writeln!(out, "  {}", parts.join("  ").trim_end())
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    for row in rows {
        line(row)?;
    }
    Ok(())
}

/// Says how many byte sequences of a file were not UTF-8 and were replaced.
pub fn report_repaired(bar: &ProgressBar, name: &str, repaired: u64) {
    if repaired > 0 {
        bar.suspend(|| {
            eprintln!(
                "note: {name}: {repaired} invalid UTF-8 sequence(s) replaced by U+FFFD (is the file in another encoding?)"
            )
        });
    }
}
