//! The same-work ceiling: the exact statements one API request sends, as PostgreSQL logs
//! them with `log_statement = all`, turned into a pgbench script that replays them in one
//! transaction per request. Captured values become literals again, except the uuids: the
//! request's trajectory becomes `:tid` (a fresh seeded one per run of the script) and
//! every other uuid a fresh time-ordered one, so replays never collide on a unique index.

use std::collections::BTreeMap;

/// One statement as the log shows it: its text and the literal of each `$n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub pid: String,
    pub sql: String,
    pub params: BTreeMap<usize, String>,
}

/// The part of a log line after `user@database `, for lines of `database`: `(pid, rest)`.
fn line_of<'a>(line: &'a str, database: &str) -> Option<(&'a str, &'a str)> {
    let open = line.find(" [")?;
    let close = open + line[open..].find("] ")?;
    let pid = &line[open + 2..close];
    let rest = &line[close + 2..];
    let (who, rest) = rest.split_once(' ')?;
    let (_, db) = who.split_once('@')?;
    (db == database).then_some((pid, rest))
}

/// `$1 = 'a''b', $2 = NULL` → {1: `'a''b'`, 2: `NULL`}, each literal as SQL would spell it.
pub fn parse_params(text: &str) -> BTreeMap<usize, String> {
    let mut params = BTreeMap::new();
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix('$') {
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let Ok(n) = after[..digits].parse::<usize>() else {
            break;
        };
        let Some(value) = after[digits..].strip_prefix(" = ") else {
            break;
        };
        let end = if value.starts_with('\'') {
            // A quoted literal ends at a quote not followed by another quote.
            let bytes = value.as_bytes();
            let mut i = 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            (i + 1).min(value.len())
        } else {
            value.find(", $").unwrap_or(value.len())
        };
        params.insert(n, value[..end].to_owned());
        rest = value[end..].trim_start_matches(", ");
    }
    params
}

/// Every statement of `database` in `log`, in the order logged. A message's further lines
/// start with a tab; parameters follow their statement on a `DETAIL` line.
pub fn parse_log(log: &str, database: &str) -> Vec<Logged> {
    let mut out: Vec<Logged> = Vec::new();
    // Which kind of message a continuation line belongs to: a statement, its parameters,
    // or something else.
    let mut open: Option<(usize, bool)> = None;
    for line in log.lines() {
        if let Some(more) = line.strip_prefix('\t') {
            match open {
                Some((i, false)) => {
                    out[i].sql.push('\n');
                    out[i].sql.push_str(more);
                }
                Some((i, true)) => {
                    let params = parse_params(more);
                    out[i].params.extend(params);
                }
                None => {}
            }
            continue;
        }
        open = None;
        let Some((pid, rest)) = line_of(line, database) else {
            continue;
        };
        if let Some(message) = rest.strip_prefix("LOG:  ") {
            let sql = message.strip_prefix("statement: ").or_else(|| {
                message
                    .strip_prefix("execute ")
                    .and_then(|m| m.split_once(": "))
                    .map(|(_, sql)| sql)
            });
            if let Some(sql) = sql {
                out.push(Logged {
                    pid: pid.to_owned(),
                    sql: sql.to_owned(),
                    params: BTreeMap::new(),
                });
                open = Some((out.len() - 1, false));
            }
        } else if let Some(detail) = rest.strip_prefix("DETAIL:  parameters: ")
            && let Some(i) = out.iter().rposition(|s| s.pid == pid)
        {
            let params = parse_params(detail);
            out[i].params.extend(params);
            open = Some((i, true));
        }
    }
    out
}

fn starts(sql: &str, words: &[&str]) -> bool {
    let upper = sql.trim_start().to_ascii_uppercase();
    words.iter().any(|w| upper.starts_with(w))
}

fn is_begin(sql: &str) -> bool {
    starts(sql, &["BEGIN", "START TRANSACTION"])
}

fn is_end(sql: &str) -> bool {
    starts(sql, &["COMMIT", "ROLLBACK", "END"])
}

/// The statements of one request: every transaction (or statement outside one) in which
/// `target` appears, whole, in log order, without their own `BEGIN` and `COMMIT`.
pub fn request_statements(logged: &[Logged], target: &str) -> Vec<Logged> {
    let mentions =
        |s: &Logged| s.sql.contains(target) || s.params.values().any(|v| v.contains(target));
    // Group each process's statements into transactions, remembering log order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in logged.iter().enumerate() {
        if is_begin(&s.sql) {
            groups.push(vec![i]);
            current.insert(&s.pid, groups.len() - 1);
        } else if let Some(&g) = current.get(s.pid.as_str()) {
            groups[g].push(i);
            if is_end(&s.sql) {
                current.remove(s.pid.as_str());
            }
        } else {
            groups.push(vec![i]);
        }
    }
    let mut chosen: Vec<usize> = groups
        .into_iter()
        .filter(|g| g.iter().any(|&i| mentions(&logged[i])))
        .flatten()
        .filter(|&i| !is_begin(&logged[i].sql) && !is_end(&logged[i].sql))
        .collect();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| logged[i].clone()).collect()
}

fn is_uuid_literal(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    uuid::Uuid::parse_str(inner).ok().map(|_| inner)
}

/// `sql` with each `$n` outside quotes replaced by `value(n)`.
fn substitute(sql: &str, value: impl Fn(usize) -> Option<String>) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.char_indices().peekable();
    let mut quoted = false;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '$' && !quoted {
            let digits: String = sql[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Some(v) = digits.parse().ok().and_then(&value) {
                out.push_str(&v);
                for _ in 0..digits.len() {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A uuid whose first 48 bits are the time in milliseconds, as `Uuid::new_v7` makes them:
/// ids land at the right edge of their indexes, as the API's own do.
const TIME_ORDERED_UUID: &str = "(lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') \
     || substr(replace(gen_random_uuid()::text, '-', ''), 13))::uuid";

/// Where a script's trajectory comes from: a seeded one (`pick`: an SQL expression for its
/// row number in `pgb_pick`; the captured trajectory's `client_ref` becomes the picked
/// one's, since an update writes it back and open trajectories are unique by it), or none,
/// every uuid being fresh (a registration).
pub enum Target<'a> {
    Seeded {
        id: &'a str,
        client_ref: &'a str,
        pick: &'a str,
    },
    Fresh,
}

/// A pgbench script: one prelude that picks the trajectory and draws fresh uuids, then
/// each request's statements in a transaction of its own.
pub fn script(requests: &[Vec<Logged>], target: Target<'_>) -> String {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut client_ref = None;
    if let Target::Seeded {
        id, client_ref: c, ..
    } = target
    {
        names.insert(id.to_owned(), "tid".to_owned());
        client_ref = Some(format!("'{}'", c.replace('\'', "''")));
    }
    let mut body = String::new();
    for statements in requests {
        body.push_str("BEGIN;\n");
        for s in statements {
            for value in s.params.values() {
                if let Some(id) = is_uuid_literal(value) {
                    let next = format!("u{}", names.len());
                    names.entry(id.to_owned()).or_insert(next);
                }
            }
            let sql = substitute(&s.sql, |n| {
                let value = s.params.get(&n)?;
                Some(match is_uuid_literal(value) {
                    Some(id) => format!(":{}", names[id]),
                    None if client_ref.as_ref() == Some(value) => ":cref".to_owned(),
                    None => value.clone(),
                })
            });
            body.push_str(sql.trim_end().trim_end_matches(';'));
            body.push_str(";\n");
        }
        body.push_str("COMMIT;\n");
    }
    let fresh: Vec<String> = names
        .values()
        .filter(|name| *name != "tid")
        .map(|name| format!("{TIME_ORDERED_UUID} AS {name}"))
        .collect();
    match target {
        Target::Seeded { pick, .. } => format!(
            "SELECT p.id AS tid, p.client_ref AS cref{}{} FROM pgb_pick p WHERE p.n = ({pick}) \\gset\n{body}",
            if fresh.is_empty() { "" } else { ", " },
            fresh.join(", ")
        ),
        Target::Fresh => format!("SELECT {} \\gset\n{body}", fresh.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_target_draws_every_uuid() {
        let logged = parse_log(LOG, "hb");
        let request = request_statements(&logged, "0193a1b2-0000-7000-8000-000000000001");
        let script = script(&[request], Target::Fresh);
        let first = script.lines().next().unwrap_or_default();
        assert!(first.starts_with("SELECT (lpad("));
        assert!(first.ends_with("AS u1 \\gset"), "{first}");
        assert!(script.contains("WHERE id = :u0 FOR UPDATE;"));
    }

    const LOG: &str = "\
2026-12-03 09:30:00.100 UTC [77] postgres@hb LOG:  statement: BEGIN
2026-12-03 09:30:00.101 UTC [77] postgres@hb LOG:  execute sqlx_s_1: SELECT * FROM t WHERE id = $1 FOR UPDATE
2026-12-03 09:30:00.101 UTC [77] postgres@hb DETAIL:  parameters: $1 = '0193a1b2-0000-7000-8000-000000000001'
2026-12-03 09:30:00.102 UTC [78] postgres@other LOG:  statement: SELECT 1
2026-12-03 09:30:00.102 UTC [79] postgres@hb LOG:  execute <unnamed>: SELECT count(*) FROM timers
2026-12-03 09:30:00.103 UTC [77] postgres@hb LOG:  execute sqlx_s_2: INSERT INTO e (id, t, change, n)
\tVALUES ($1, $2, $3, $4)
2026-12-03 09:30:00.103 UTC [77] postgres@hb DETAIL:  parameters: $1 = '0193a1b2-0000-7000-8000-0000000000aa', $2 = '0193a1b2-0000-7000-8000-000000000001', $3 = '{\"a\": \"it''s, $2 = x\"}', $4 = NULL
2026-12-03 09:30:00.104 UTC [77] postgres@hb LOG:  statement: COMMIT
";

    #[test]
    fn params_keep_quotes_doubled_and_commas_inside_literals() {
        let params = parse_params("$1 = 'a''b, $2 = c', $2 = NULL, $10 = '7'");
        assert_eq!(params[&1], "'a''b, $2 = c'");
        assert_eq!(params[&2], "NULL");
        assert_eq!(params[&10], "'7'");
    }

    #[test]
    fn a_request_is_its_transaction_without_other_databases_or_processes() {
        let logged = parse_log(LOG, "hb");
        assert_eq!(logged.len(), 5);
        let request = request_statements(&logged, "0193a1b2-0000-7000-8000-000000000001");
        assert_eq!(request.len(), 2);
        assert_eq!(
            request[1].sql,
            "INSERT INTO e (id, t, change, n)\nVALUES ($1, $2, $3, $4)"
        );
        assert_eq!(request[1].params[&4], "NULL");
    }

    #[test]
    fn the_script_names_the_trajectory_and_draws_fresh_ids() {
        let logged = parse_log(LOG, "hb");
        let target = "0193a1b2-0000-7000-8000-000000000001";
        let request = request_statements(&logged, target);
        let seeded = Target::Seeded {
            id: target,
            client_ref: "it''s",
            pick: "1",
        };
        let script = script(&[request], seeded);
        let lines: Vec<&str> = script.lines().collect();
        assert!(lines[0].starts_with("SELECT p.id AS tid, p.client_ref AS cref, (lpad("));
        assert!(lines[0].ends_with("AS u1 FROM pgb_pick p WHERE p.n = (1) \\gset"));
        assert_eq!(lines[1], "BEGIN;");
        assert_eq!(lines[2], "SELECT * FROM t WHERE id = :tid FOR UPDATE;");
        assert_eq!(lines[3], "INSERT INTO e (id, t, change, n)");
        assert_eq!(
            lines[4],
            "VALUES (:u1, :tid, '{\"a\": \"it''s, $2 = x\"}', NULL);"
        );
        assert_eq!(lines[5], "COMMIT;");
    }
}
