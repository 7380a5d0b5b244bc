//! `mandate bench mandate`: authorisation decisions per second and their
//! latency, on a generated city whose mandate has as many positions as asked.
//! The rules go through the same loader and Cedar compiler as real ones.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use mandate_check::mandate::Mandate;
use mandate_model::Act;

use crate::output::print_table;

#[derive(clap::Args)]
pub struct Args {
    /// Positions in the generated mandate.
    #[arg(long, default_value_t = 1_000)]
    pub positions: usize,
    /// Acts to decide.
    #[arg(long, default_value_t = 200_000)]
    pub acts: usize,
}

/// A small deterministic generator, so every run decides the same acts.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const DEPARTMENTS: usize = 50;
const UNITS_PER_DEPARTMENT: usize = 5;

/// Position i: 0 the mayor; then deputies, department heads, unit heads, clerks.
fn position_of(i: usize) -> (&'static str, String) {
    match i {
        0 => ("top_leader", "city".to_string()),
        1..=9 => ("deputy", "city".to_string()),
        i if i < 10 + DEPARTMENTS => ("department_head", format!("d{}", i - 10)),
        i if i < 10 + DEPARTMENTS * (1 + UNITS_PER_DEPARTMENT) => {
            let n = i - 10 - DEPARTMENTS;
            (
                "department_head",
                format!("d{}u{}", n / UNITS_PER_DEPARTMENT, n % UNITS_PER_DEPARTMENT),
            )
        }
        i => ("clerk", format!("d{}", i % DEPARTMENTS)),
    }
}

/// The generated city: one government, departments, units below them;
/// a mayor, deputies, department heads, unit heads and clerks.
fn city(positions: usize) -> String {
    let mut t = String::from(
        "[pack]\nid = \"bench-city\"\ntitle = \"Generated city\"\nversion = \"1\"\njurisdiction = \"bench\"\n\n\
         [default_deny]\nid = \"bench.default-deny\"\ntitle = \"No power without a basis\"\nseverity = \"high\"\n\
         legal_basis = { source = \"bench\", text = \"default deny\" }\n\n\
         [recusal]\nid = \"bench.recusal\"\ntitle = \"Recusal\"\nseverity = \"high\"\nspouse = true\nlineal = true\n\
         collateral_within_generations = 3\nclose_in_laws = true\ncompanies = true\n\
         legal_basis = { source = \"bench\", text = \"recusal\" }\n\n\
         [[meeting_rule]]\nid = \"bench.meeting\"\ntitle = \"Collective\"\nseverity = \"high\"\nquorum = { at_least = \"2/3\" }\n\
         approval = { more_than = \"1/2\" }\nchief_speaks_last = true\nlegal_basis = { source = \"bench\", text = \"meeting\" }\n\n\
         [[prohibition]]\nid = \"bench.top-leader\"\ntitle = \"Top leader not in charge\"\nseverity = \"high\"\n\
         position_kinds = [\"top_leader\"]\nmatters = [\"fund_approval\", \"procurement\", \"appointment\"]\n\
         legal_basis = { source = \"bench\", text = \"prohibition\" }\n\n\
         [[organisation]]\nid = \"city\"\nname = \"City\"\n",
    );
    for d in 0..DEPARTMENTS {
        let _ = write!(
            t,
            "\n[[organisation]]\nid = \"d{d}\"\nname = \"Department {d}\"\nparent = \"city\"\n"
        );
        for u in 0..UNITS_PER_DEPARTMENT {
            let _ = write!(
                t,
                "\n[[organisation]]\nid = \"d{d}u{u}\"\nname = \"Unit {d}.{u}\"\nparent = \"d{d}\"\n"
            );
        }
    }
    for i in 0..positions {
        let (kind, organisation) = position_of(i);
        let _ = write!(
            t,
            "\n[[position]]\nid = \"p{i}\"\ntitle = \"Position {i}\"\norganisation = \"{organisation}\"\nkind = \"{kind}\"\n"
        );
        let _ = write!(
            t,
            "\n[[person]]\nid = \"h{i}\"\nname = \"Holder {i}\"\nterm = [{{ position = \"p{i}\", from = \"2020-01-01\" }}]\n\
             \n[[person]]\nid = \"s{i}\"\nname = \"Spouse {i}\"\n\n[[relation]]\nperson = \"h{i}\"\nkind = \"spouse\"\nof = \"s{i}\"\n\
             \n[[company]]\nid = \"c{i}\"\nname = \"Company {i}\"\nowner = [{{ person = \"s{i}\", share = 0.5 }}]\n"
        );
    }
    let basis = "legal_basis = { source = \"bench\", text = \"power\" }";
    let _ = write!(
        t,
        "\n[[power]]\nid = \"bench.unit-funds\"\ntitle = \"Funds\"\nposition_kinds = [\"department_head\"]\nmatter = \"fund_approval\"\n\
         limit = {{ amount = 500000, currency = \"CNY\" }}\ncollective_decision_above = {{ amount = 300000, currency = \"CNY\" }}\n\
         meeting_rule = \"bench.meeting\"\nsecond_reviewer = true\n{basis}\n\
         \n[[power]]\nid = \"bench.contracts\"\ntitle = \"Contracts\"\nposition_kinds = [\"department_head\", \"clerk\"]\nmatter = \"contract\"\n\
         scope = \"own\"\nlimit = {{ amount = 100000, currency = \"CNY\" }}\n{basis}\n\
         \n[[power]]\nid = \"bench.projects\"\ntitle = \"Projects\"\nposition_kinds = [\"deputy\"]\nmatter = \"project_approval\"\n\
         collective_decision = true\nmeeting_rule = \"bench.meeting\"\n{basis}\n\
         \n[[power]]\nid = \"bench.major\"\ntitle = \"Major decisions\"\npositions = [\"p0\"]\nmatter = \"major_decision\"\n\
         collective_decision = true\nmeeting_rule = \"bench.meeting\"\n{basis}\n"
    );
    // Every tenth clerk covers its department's funds for a year.
    for i in (10 + DEPARTMENTS * (1 + UNITS_PER_DEPARTMENT)..positions).step_by(10) {
        let _ = write!(
            t,
            "\n[[delegation]]\nid = \"del{i}\"\npower = \"bench.unit-funds\"\nto_position = \"p{i}\"\nfrom = \"2025-01-01\"\n\
             until = \"2025-12-31\"\nlimit = {{ amount = 50000, currency = \"CNY\" }}\n{basis}\n"
        );
    }
    t
}

const MATTERS: [&str; 5] = [
    "fund_approval",
    "contract",
    "project_approval",
    "major_decision",
    "procurement",
];

/// Three acts in four are proper (a power the actor holds, for its own
/// organisation, within the limit, reviewed, a valid meeting where one is
/// needed); the rest are drawn at random and mostly break some rule.
fn acts(positions: usize, count: usize, organisations: &[String]) -> Vec<Act> {
    let mut dice = Dice(7);
    let valid_meeting = |n: usize| {
        serde_json::json!({
            "id": format!("m{n}"), "members": ["a", "b", "c", "d", "e", "f"],
            "present": ["a", "b", "c", "d", "e"], "chief": "a", "speaking_order": ["b", "c", "a"],
            "votes": [{"member": "a", "vote": "for"}, {"member": "b", "vote": "for"}, {"member": "c", "vote": "for"},
                      {"member": "d", "vote": "for"}, {"member": "e", "vote": "against"}]
        })
    };
    (0..count)
        .map(|n| {
            let i = dice.below(positions);
            let (kind, own) = position_of(i);
            let other_company = format!("c{}", (i + 1 + dice.below(positions - 1)) % positions);
            let value = if dice.below(4) > 0 {
                let (matter, amount, meeting) = match kind {
                    "top_leader" => ("major_decision", 0, Some(valid_meeting(n))),
                    "deputy" => ("project_approval", dice.below(5_000), Some(valid_meeting(n))),
                    "department_head" if dice.below(2) == 0 => ("fund_approval", dice.below(300), None),
                    _ => ("contract", dice.below(100), None),
                };
                serde_json::json!({
                    "id": format!("a{n}"), "actor": format!("h{i}"), "matter": matter, "organisation": own,
                    "time": "2025-06-02T10:00:00+08:00",
                    "amount": {"amount": amount as f64 * 1000.0, "currency": "CNY"},
                    "counterparty": other_company, "reviewer": "auditor", "meeting": meeting,
                })
            } else {
                let counterparty = match dice.below(10) {
                    0 => format!("c{i}"),
                    _ => other_company,
                };
                serde_json::json!({
                    "id": format!("a{n}"), "actor": format!("h{i}"),
                    "matter": MATTERS[dice.below(MATTERS.len())],
                    "organisation": organisations[dice.below(organisations.len())],
                    "time": "2025-06-02T10:00:00+08:00",
                    "amount": {"amount": dice.below(700) as f64 * 1000.0, "currency": "CNY"},
                    "counterparty": counterparty,
                    "reviewer": if dice.below(4) == 0 { format!("h{i}") } else { "auditor".to_string() },
                    "meeting": (dice.below(2) == 0).then(|| valid_meeting(n)),
                })
            };
            serde_json::from_value(value).map_err(anyhow::Error::from)
        })
        .collect::<Result<Vec<Act>>>()
        .unwrap_or_default()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let text = city(args.positions);
    let started = Instant::now();
    let pack = mandate_rules::parse_pack(Path::new("bench-city.toml"), &text)?;
    let organisations: Vec<String> = pack.organisations.iter().map(|o| o.id.clone()).collect();
    let packs = [pack];
    let mandate = Mandate::compile(&packs)?;
    let compile = started.elapsed();
    let acts = acts(args.positions, args.acts, &organisations);
    println!(
        "Mandate of {} positions, {} organisations: loaded and compiled to Cedar in {:.2} s; deciding {} acts",
        args.positions,
        organisations.len(),
        compile.as_secs_f64(),
        acts.len()
    );
    let mut permitted = Vec::new();
    let mut refused = Vec::new();
    let bar = crate::output::progress_bar(acts.len() as u64, "acts");
    let all = Instant::now();
    for act in &acts {
        let start = Instant::now();
        let verdict = mandate.decide(act);
        let took = start.elapsed();
        if verdict.is_permitted() {
            permitted.push(took);
        } else {
            refused.push(took);
        }
        bar.inc(1);
    }
    let total = all.elapsed();
    bar.finish_and_clear();
    let mut everything: Vec<Duration> = permitted.iter().chain(&refused).copied().collect();
    let mut rows = Vec::new();
    for (name, durations) in [
        ("all", &mut everything),
        ("permitted", &mut permitted),
        ("refused", &mut refused),
    ] {
        durations.sort();
        rows.push(vec![
            name.to_string(),
            durations.len().to_string(),
            micros(percentile(durations, 0.5)),
            micros(percentile(durations, 0.99)),
            micros(percentile(durations, 0.999)),
            micros(durations.last().copied().unwrap_or_default()),
        ]);
    }
    print_table(&["acts", "count", "p50", "p99", "p99.9", "max"], &rows);
    println!(
        "  {:.0} decisions/s on one thread ({} acts in {:.2} s, position lookup, kinship and Cedar included)",
        acts.len() as f64 / total.as_secs_f64().max(1e-9),
        acts.len(),
        total.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
