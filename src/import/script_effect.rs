//! What a step's script or command line does, read from its text: how long it waits and the
//! exit code it ends with, when every statement of it is one patchsim can read.
//!
//! A Run PowerShell Script step stores its script base64-encoded (`OSDRunPowerShellScriptSourceScript`,
//! UTF-16LE with a byte-order mark as the console writes it, sometimes UTF-8): [`decode_script`]
//! turns it back into text. [`ScriptEffect::of_powershell`] and [`ScriptEffect::of_command_line`]
//! then read it statement by statement:
//!
//! - waits: `Start-Sleep` (`-Seconds N`, `-s N`, `-Milliseconds N`, positional `Start-Sleep 10`,
//!   `sleep 10`, and `Get-Random [-Minimum A] -Maximum B` in place of N for a uniform wait),
//!   `timeout[.exe] [/t] N [/nobreak]` (N seconds) and `ping [-n N] 127.0.0.1` (N−1 seconds: the
//!   echoes are a second apart);
//! - exits: `exit N` (`Exit N`, `exit /b N`), `[Environment]::Exit(N)` and `cmd /c exit N`;
//! - what takes no time: comments, `echo`, `Write-Host` and its kin, `@echo off`, `rem`;
//! - wrappers: `cmd /c …` (statements joined by `&` or `&&`) and
//!   `powershell.exe … -Command …` / `-EncodedCommand …` (and `pwsh`).
//!
//! Only when the whole text is such statements is there an effect; otherwise the import keeps
//! the default duration, and [`Reading::hints`] says what it saw (a wait or an exit among other
//! statements) for a note.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The wait and the exit code of a script made only of statements patchsim reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptEffect {
    /// Shortest total wait, in milliseconds.
    pub min_ms: u64,
    /// Longest total wait, in milliseconds (equal to `min_ms` for a fixed wait).
    pub max_ms: u64,
    /// The exit code, when the script ends with a literal `exit N`; `None` is 0 (it ends
    /// normally).
    pub exit_code: Option<i64>,
}

/// What a reading found: the effect of a wholly readable script, else hints for a note.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    /// The effect, when every statement was read.
    pub effect: Option<ScriptEffect>,
    /// Waits and exits seen in a script that also does other things, e.g. `Start-Sleep 10`.
    pub hints: Vec<String>,
}

/// One statement, read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Statement {
    /// Waits from min to max milliseconds.
    Wait(u64, u64),
    /// Ends the script with this code.
    Exit(i64),
    /// Takes no measurable time.
    Nothing,
    /// Several statements (a wrapped command).
    Many(Vec<Statement>),
    /// Anything else.
    Other,
}

/// The most statements read from one script: a longer one is not simple anyway.
const MAX_STATEMENTS: usize = 200;

/// A base64-encoded script as text, with the encoding it was in (`"UTF-16LE"`, `"UTF-8"`…);
/// `None` when the text is not base64 of text (a script stored as plain text, as some exports
/// have it).
pub fn decode_script(stored: &str) -> Option<(String, &'static str)> {
    let compact: String = stored.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len() < 4 || !compact.len().is_multiple_of(4) {
        return None;
    }
    let bytes = BASE64.decode(compact.as_bytes()).ok()?;
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (utf16(rest, u16::from_le_bytes)?, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (utf16(rest, u16::from_be_bytes)?, "UTF-16BE")
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (String::from_utf8(rest.to_vec()).ok()?, "UTF-8")
    } else if bytes.len() >= 2 && bytes.len().is_multiple_of(2) && bytes.iter().skip(1).step_by(2).all(|b| *b == 0) {
        (utf16(&bytes, u16::from_le_bytes)?, "UTF-16LE")
    } else {
        (String::from_utf8(bytes).ok()?, "UTF-8")
    };
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    printable.then_some((text, encoding))
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|p| word([p[0], p[1]]));
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

impl ScriptEffect {
    /// Reads a PowerShell script.
    pub fn of_powershell(script: &str) -> Reading {
        reading(powershell_statements(script, 0))
    }

    /// Reads a Run Command Line step's command line.
    pub fn of_command_line(line: &str) -> Reading {
        reading(cmd_statements(line, 0))
    }
}

/// Adds up a script's statements: waits in order until the first exit.
fn reading(statements: Vec<Statement>) -> Reading {
    let mut flat = Vec::new();
    flatten(statements, &mut flat);
    let (mut fixed, mut random): (u64, Option<(u64, u64)>) = (0, None);
    let mut simple = true;
    let mut exit_code = None;
    let mut hints = Vec::new();
    for s in &flat {
        match *s {
            Statement::Wait(min, max) => {
                hints.push(describe_wait(min, max));
                if exit_code.is_some() {
                    continue;
                }
                if min == max {
                    fixed = fixed.saturating_add(min);
                } else if random.is_none() {
                    random = Some((min, max));
                } else {
                    // Two random waits add up to no uniform wait.
                    simple = false;
                }
            }
            Statement::Exit(code) => {
                hints.push(format!("exit {code}"));
                exit_code.get_or_insert(code);
            }
            Statement::Nothing => {}
            Statement::Other | Statement::Many(_) => simple = false,
        }
    }
    let (min, max) = random.unwrap_or((0, 0));
    // A script that neither waits nor exits (comments, echoes) keeps the default duration.
    let effect = (simple && !hints.is_empty()).then(|| ScriptEffect {
        min_ms: fixed.saturating_add(min),
        max_ms: fixed.saturating_add(max),
        exit_code: exit_code.filter(|c| *c != 0),
    });
    hints.dedup();
    Reading { hints: if effect.is_some() { Vec::new() } else { hints }, effect }
}

fn flatten(statements: Vec<Statement>, out: &mut Vec<Statement>) {
    for s in statements {
        match s {
            Statement::Many(inner) => flatten(inner, out),
            other => out.push(other),
        }
    }
}

fn describe_wait(min: u64, max: u64) -> String {
    let span = |ms: u64| crate::scenario::duration::DurationDisplay(ms).to_string();
    if min == max { format!("waits {}", span(min)) } else { format!("waits {} to {}", span(min), span(max)) }
}

/// How deep wrappers may nest (`cmd /c powershell -Command cmd /c …`).
const MAX_WRAPPING: usize = 4;

/// A PowerShell script's statements: lines and `;`, comments left out.
fn powershell_statements(script: &str, depth: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut in_block_comment = false;
    for line in script.lines() {
        let mut line = line.trim();
        if in_block_comment {
            match line.find("#>") {
                Some(i) => {
                    in_block_comment = false;
                    line = line[i + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(i) = line.find("<#") {
            match line[i..].find("#>") {
                Some(_) => {}
                None => {
                    in_block_comment = true;
                    line = line[..i].trim();
                }
            }
        }
        let line = cut_comment(line);
        for part in line.split(';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if out.len() >= MAX_STATEMENTS {
                out.push(Statement::Other);
                return out;
            }
            out.push(powershell_statement(part, depth));
        }
    }
    out
}

/// A line without its `# comment` (a `#` outside quotes; a `<# … #>` on one line goes too).
fn cut_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return line[..i].trim_end().trim_end_matches('<').trim_end(),
            _ => {}
        }
    }
    line
}

/// The words of a statement, lower-cased, without the redirections that discard output
/// (`> $null`, `>nul`, `2>&1`, `| Out-Null`); `None` when output goes to a file (the statement
/// writes something).
fn words(statement: &str) -> Option<Vec<String>> {
    let lower = statement.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut tokens = lower.split_whitespace().peekable();
    while let Some(t) = tokens.next() {
        if t == "|" && tokens.peek().is_some_and(|n| *n == "out-null") {
            tokens.next();
            continue;
        }
        if t == "|out-null" {
            continue;
        }
        let redirect = t.trim_start_matches(['1', '2', '*']);
        if redirect.starts_with('>') {
            let mut target = redirect.trim_start_matches('>').to_owned();
            if target.is_empty() {
                target = tokens.next().unwrap_or_default().to_owned();
            }
            if !matches!(target.as_str(), "nul" | "$null" | "&1" | "&2") {
                return None;
            }
            continue;
        }
        out.push(t.to_owned());
    }
    Some(out)
}

fn powershell_statement(statement: &str, depth: usize) -> Statement {
    let text = statement.trim().trim_end_matches(';').trim();
    let Some(words) = words(text) else { return Statement::Other };
    let Some(head) = words.first().map(String::as_str) else { return Statement::Nothing };
    match head {
        "start-sleep" | "sleep" => start_sleep(&words[1..]).map_or(Statement::Other, |(a, b)| Statement::Wait(a, b)),
        "exit" => match words.len() {
            1 => Statement::Exit(0),
            2 => exit_code(words[1].trim_matches(|c| c == '(' || c == ')')),
            _ => Statement::Other,
        },
        "write-host" | "write-output" | "write-verbose" | "write-information" | "echo" => {
            if text.contains("$(") {
                Statement::Other
            } else {
                Statement::Nothing
            }
        }
        _ if head.starts_with("[environment]::exit(") || head.starts_with("[system.environment]::exit(") => {
            let joined = words.join("");
            let inner = joined.split_once("exit(").map(|(_, r)| r).and_then(|r| r.strip_suffix(')'));
            inner.map_or(Statement::Other, exit_code)
        }
        _ => external(text, &words, depth),
    }
}

/// A command run as a program, from PowerShell or cmd: `timeout`, `ping`, `cmd /c`, PowerShell.
fn external(text: &str, words: &[String], depth: usize) -> Statement {
    let Some(head) = words.first() else { return Statement::Nothing };
    let program = head.trim_matches('"');
    let program = program.rsplit(['\\', '/']).next().unwrap_or(program);
    let program = program.strip_suffix(".exe").unwrap_or(program);
    match program {
        "timeout" => timeout(&words[1..]),
        "ping" => ping(&words[1..]),
        "cmd" if depth < MAX_WRAPPING => {
            let Some(at) = find_word(text, &["/c", "/k"]) else { return Statement::Other };
            Statement::Many(cmd_statements(unquote(&text[at..]), depth + 1))
        }
        "powershell" | "pwsh" if depth < MAX_WRAPPING => powershell_command(text, depth + 1),
        _ => Statement::Other,
    }
}

/// `powershell.exe [options] -Command TEXT` or `-EncodedCommand BASE64`.
fn powershell_command(text: &str, depth: usize) -> Statement {
    if let Some(at) = find_word(text, &["-encodedcommand", "-enc", "-e", "-ec"]) {
        let encoded = text[at..].split_whitespace().next().unwrap_or_default();
        let Some(bytes) = BASE64.decode(encoded.as_bytes()).ok() else { return Statement::Other };
        let Some(script) = utf16(&bytes, u16::from_le_bytes) else { return Statement::Other };
        return Statement::Many(powershell_statements(&script, depth));
    }
    match find_word(text, &["-command", "-c"]) {
        Some(at) => {
            let inner = unquote(&text[at..]);
            if inner.starts_with('&') || inner.starts_with('{') {
                return Statement::Other;
            }
            Statement::Many(powershell_statements(inner, depth))
        }
        None => Statement::Other,
    }
}

/// The text after the first of these words (any case), skipping the space after it.
fn find_word(text: &str, flags: &[&str]) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    for word in lower.split(' ') {
        let end = at + word.len();
        if flags.contains(&word) {
            return Some((end + 1).min(text.len()));
        }
        at = end + 1;
    }
    None
}

/// A text without the quotes around all of it.
fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.trim();
        }
    }
    t
}

/// A command line's statements, as cmd runs them: joined by `&` or `&&` (an `||` or a pipe
/// makes it something else).
fn cmd_statements(line: &str, depth: usize) -> Vec<Statement> {
    if line.contains("||") || line.contains('|') && !line.to_ascii_lowercase().contains("out-null") {
        // A PowerShell command line may pipe to Out-Null; cmd's pipes and `||` are not read.
        if !line.to_ascii_lowercase().contains("powershell") && !line.to_ascii_lowercase().contains("pwsh") {
            return vec![Statement::Other];
        }
    }
    let lower = line.to_ascii_lowercase();
    let head = lower.split_whitespace().next().unwrap_or_default().trim_matches('"');
    let head = head.rsplit(['\\', '/']).next().unwrap_or(head);
    if matches!(head, "powershell" | "powershell.exe" | "pwsh" | "pwsh.exe") {
        // PowerShell's own `;` and `&` belong to it.
        return vec![words(line).map_or(Statement::Other, |w| external(line, &w, depth))];
    }
    line.split('&')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .take(MAX_STATEMENTS)
        .map(|p| cmd_statement(p, depth))
        .collect()
}

fn cmd_statement(statement: &str, depth: usize) -> Statement {
    let text = unquote(statement.trim().trim_start_matches('@'));
    let Some(words) = words(text) else { return Statement::Other };
    let Some(head) = words.first().map(String::as_str) else { return Statement::Nothing };
    match head {
        "exit" => match &words[1..] {
            [] => Statement::Exit(0),
            [flag] if flag == "/b" => Statement::Exit(0),
            [code] => exit_code(code),
            [flag, code] if flag == "/b" => exit_code(code),
            _ => Statement::Other,
        },
        "echo" | "rem" => Statement::Nothing,
        _ => external(text, &words, depth),
    }
}

fn exit_code(text: &str) -> Statement {
    match text.parse::<i64>() {
        Ok(code) if (-(1i64 << 31)..(1i64 << 32)).contains(&code) => Statement::Exit(code),
        _ => Statement::Other,
    }
}

/// `timeout [/t] N [/nobreak]`: N seconds (`-1`, waiting for a key, is not a wait).
fn timeout(args: &[String]) -> Statement {
    let args: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "/nobreak").collect();
    let n = match args.as_slice() {
        [n] | ["/t", n] => n.parse::<u64>().ok(),
        _ => None,
    };
    n.filter(|n| *n <= 99_999).map_or(Statement::Other, |n| Statement::Wait(n * 1000, n * 1000))
}

/// `ping [-n N] 127.0.0.1` (or `localhost`): N echoes a second apart, N−1 seconds.
fn ping(args: &[String]) -> Statement {
    let (mut count, mut target) = (4u64, None);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-n" | "/n" => {
                let Some(n) = args.get(i + 1).and_then(|n| n.parse::<u64>().ok()) else { return Statement::Other };
                count = n;
                i += 2;
            }
            t if target.is_none() && !t.starts_with(['-', '/']) => {
                target = Some(t.to_owned());
                i += 1;
            }
            _ => return Statement::Other,
        }
    }
    match target.as_deref() {
        Some("127.0.0.1" | "localhost" | "::1") if (1..=100_000).contains(&count) => {
            Statement::Wait((count - 1) * 1000, (count - 1) * 1000)
        }
        _ => Statement::Other,
    }
}

/// The wait of `Start-Sleep`'s arguments, in milliseconds (min, max): `[-Seconds|-Milliseconds] N`
/// or `(Get-Random [-Minimum A] -Maximum B)` in place of N (parameters abbreviated as PowerShell
/// allows). `Get-Random`'s maximum is exclusive, a wait's max inclusive: the difference is one
/// unit.
fn start_sleep(args: &[String]) -> Option<(u64, u64)> {
    let joined = args.join(" ");
    let mut tokens: Vec<String> = Vec::new();
    let mut chars = joined.chars().peekable();
    while let Some(c) = chars.peek().copied() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            chars.next();
            let mut inner = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == ')' {
                    closed = true;
                    break;
                }
                inner.push(c);
            }
            if !closed {
                return None;
            }
            tokens.push(format!("({})", inner.trim()));
        } else {
            let mut word = String::new();
            while let Some(c) = chars.peek().copied() {
                if c.is_whitespace() || c == '(' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(word);
        }
    }
    let (unit, value) = match tokens.as_slice() {
        [v] => (1000, v),
        [flag, v] if flag.len() >= 2 && "-seconds".starts_with(flag.as_str()) => (1000, v),
        [flag, v] if flag.len() >= 2 && ("-milliseconds".starts_with(flag.as_str()) || flag == "-ms") => (1, v),
        _ => return None,
    };
    if let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
        let words: Vec<&str> = inner.split_whitespace().collect();
        let (head, args) = words.split_first()?;
        if *head != "get-random" || !args.len().is_multiple_of(2) {
            return None;
        }
        let (mut min, mut max) = (0u64, None);
        for pair in args.chunks(2) {
            let n: u64 = pair[1].parse().ok()?;
            match pair[0] {
                f if f.len() >= 3 && "-maximum".starts_with(f) => max = Some(n),
                f if f.len() >= 3 && "-minimum".starts_with(f) => min = n,
                _ => return None,
            }
        }
        let max = max?;
        return (max > min).then(|| (min.saturating_mul(unit), max.saturating_mul(unit)));
    }
    let n: u64 = value.trim_matches(|c| c == '"' || c == '\'').parse().ok()?;
    Some((n.saturating_mul(unit), n.saturating_mul(unit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ps(text: &str) -> Option<(u64, u64, Option<i64>)> {
        ScriptEffect::of_powershell(text).effect.map(|e| (e.min_ms, e.max_ms, e.exit_code))
    }

    fn cmd(text: &str) -> Option<(u64, u64, Option<i64>)> {
        ScriptEffect::of_command_line(text).effect.map(|e| (e.min_ms, e.max_ms, e.exit_code))
    }

    #[test]
    fn scripts_that_only_wait_and_exit_have_an_effect() {
        for (text, expected) in [
            ("Start-Sleep -Seconds (Get-Random -Maximum 1200)", Some((0, 1_200_000, None))),
            ("start-sleep -s (get-random -min 60 -max 600);", Some((60_000, 600_000, None))),
            ("Start-Sleep (Get-Random -Maximum 900 -Minimum 300)", Some((300_000, 900_000, None))),
            ("Start-Sleep 45", Some((45_000, 45_000, None))),
            ("sleep 5", Some((5_000, 5_000, None))),
            ("Start-Sleep -Milliseconds 500", Some((500, 500, None))),
            ("Start-Sleep -m (Get-Random -Maximum 800)", Some((0, 800, None))),
            ("# wait for the service\r\nStart-Sleep -Seconds 10\r\nExit 250", Some((10_000, 10_000, Some(250)))),
            ("<#\n .SYNOPSIS\n waits\n#>\nStart-Sleep 3 # three\nStart-Sleep 4", Some((7_000, 7_000, None))),
            ("Write-Host 'waiting'; Start-Sleep 2; [Environment]::Exit(3)", Some((2_000, 2_000, Some(3)))),
            ("[System.Environment]::Exit( 12 )", Some((0, 0, Some(12)))),
            ("exit 0", Some((0, 0, None))),
            ("Exit 1; Start-Sleep 60", Some((0, 0, Some(1)))),
            ("timeout.exe 15", Some((15_000, 15_000, None))),
            ("ping -n 6 127.0.0.1 > $null", Some((5_000, 5_000, None))),
            ("cmd /c exit 4", Some((0, 0, Some(4)))),
            // Not only waits and exits, or not readable: no effect.
            ("Start-Sleep -Seconds 30; Restart-Service ccmexec", None),
            ("Start-Sleep -Seconds $delay", None),
            ("Start-Sleep -Seconds (Get-Random -Maximum 10", None),
            ("Start-Sleep -Seconds (Get-Random -Minimum 10 -Maximum 10)", None),
            ("Start-Sleep (Get-Random -Maximum 10); Start-Sleep (Get-Random -Maximum 20)", None),
            ("exit $code", None),
            ("Write-Host hi $(Get-Date)", None),
            ("Write-Host 'only talks'", None),
            ("<# a comment, no statement #>", None),
        ] {
            assert_eq!(ps(text), expected, "{text}");
        }
        let mixed = ScriptEffect::of_powershell("Start-Sleep 10\nGet-Service | Restart-Service\nexit 3");
        assert_eq!(mixed.effect, None);
        assert_eq!(mixed.hints, ["waits 10s", "exit 3"]);
    }

    #[test]
    fn command_lines_that_only_wait_and_exit_have_an_effect() {
        for (line, expected) in [
            ("Exit 250", Some((0, 0, Some(250)))),
            ("cmd /c exit 1", Some((0, 0, Some(1)))),
            ("cmd.exe /c \"exit /b 5\"", Some((0, 0, Some(5)))),
            ("timeout 60", Some((60_000, 60_000, None))),
            ("timeout /t 30 /nobreak", Some((30_000, 30_000, None))),
            ("cmd /c timeout /t 10 /nobreak >nul & exit 2", Some((10_000, 10_000, Some(2)))),
            ("ping 127.0.0.1 -n 11 >nul", Some((10_000, 10_000, None))),
            ("ping localhost", Some((3_000, 3_000, None))),
            ("powershell.exe -Command Start-Sleep 30", Some((30_000, 30_000, None))),
            (
                "powershell.exe -NoProfile -ExecutionPolicy Bypass -Command \"Start-Sleep -Seconds (Get-Random -Maximum 1200)\"",
                Some((0, 1_200_000, None)),
            ),
            ("pwsh -c Start-Sleep 20", Some((20_000, 20_000, None))),
            // Start-Sleep 7; exit 9, as PowerShell's -EncodedCommand takes it (UTF-16LE base64).
            (
                "powershell -EncodedCommand UwB0AGEAcgB0AC0AUwBsAGUAZQBwACAANwA7ACAAZQB4AGkAdAAgADkA",
                Some((7_000, 7_000, Some(9))),
            ),
            ("powershell.exe -Command \"Start-Sleep 90; Get-Date\"", None),
            ("timeout -1", None),
            ("ping -n 30 server01", None),
            ("cmd.exe /c ping -n 30 127.0.0.1 -w 10", None),
            ("powershell.exe -File .\\Invoke-Sleep.ps1", None),
            ("reg add HKLM\\SOFTWARE\\X /v Y /d 1 /f", None),
            ("cmd /c exit 1 || exit 2", None),
            ("cmd /c echo %computername% >> ready.txt", None),
            ("cmd /c echo %OSDGUID%", None),
            ("cmd /c timeout 5 > wait.log", None),
        ] {
            assert_eq!(cmd(line), expected, "{line}");
        }
    }

    #[test]
    fn scripts_decode_from_base64_in_the_encodings_exports_use() {
        let script = "Start-Sleep -Seconds 10\r\nexit 3";
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(script.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(script.encode_utf16().flat_map(u16::to_be_bytes));
        let no_bom: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend(script.as_bytes());
        for (bytes, encoding) in [
            (utf16le, "UTF-16LE"),
            (utf16be, "UTF-16BE"),
            (no_bom, "UTF-16LE"),
            (utf8_bom, "UTF-8"),
            (script.as_bytes().to_vec(), "UTF-8"),
        ] {
            let stored = BASE64.encode(&bytes);
            assert_eq!(decode_script(&stored), Some((script.to_owned(), encoding)), "{encoding}");
        }
        // Plain text, and base64 of bytes that are no text, stay undecoded.
        assert_eq!(decode_script("Start-Sleep 10"), None);
        assert_eq!(decode_script("exit"), None, "valid base64, but of no text");
        assert_eq!(decode_script(&BASE64.encode([0u8, 1, 2, 3, 0xFF])), None);
    }
}
