//! Materials of an activity: which files are taken (by their name's ending, checked against
//! what the bytes begin with where the kind has a mark of its own), how large, and how many.

/// The largest file (the request limit of the app is 8 MB).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most files on one activity.
pub const MAX_FILES: usize = 20;
/// The longest file name kept.
const NAME_MAX_CHARS: usize = 120;

/// Endings taken, their content type, and the bytes such a file begins with (if any).
const KINDS: [(&str, &str, &[u8]); 11] = [
    ("pdf", "application/pdf", b"%PDF-"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04"),
    ("odt", "application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet", b"PK\x03\x04"),
    ("odp", "application/vnd.oasis.opendocument.presentation", b"PK\x03\x04"),
    ("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    ("jpg", "image/jpeg", b"\xff\xd8\xff"),
    ("jpeg", "image/jpeg", b"\xff\xd8\xff"),
    ("txt", "text/plain; charset=utf-8", b""),
];

/// The endings taken, for a message.
pub fn endings() -> String {
    KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
}

/// Why a file is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge,
    Kind,
}

/// A file name as kept: its last path part, without control characters or quotes, shortened.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    cleaned.chars().rev().take(NAME_MAX_CHARS).collect::<Vec<_>>().into_iter().rev().collect()
}

/// The content type of a file that may be kept, or why not.
pub fn check(name: &str, bytes: &[u8]) -> Result<&'static str, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let ending = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let (_, kind, mark) = KINDS.iter().find(|k| k.0 == ending).ok_or(Refusal::Kind)?;
    if !bytes.starts_with(mark) {
        return Err(Refusal::Kind);
    }
    if ending == "txt" && std::str::from_utf8(bytes).is_err() {
        return Err(Refusal::Kind);
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_taken_by_ending_and_mark_within_the_size() {
        assert_eq!(check("Program.PDF", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(check("program.pdf", b"<html>"), Err(Refusal::Kind), "a web page named .pdf");
        assert_eq!(check("run.exe", b"MZ"), Err(Refusal::Kind));
        assert_eq!(check("noter.txt", b"Hej"), Ok("text/plain; charset=utf-8"));
        assert_eq!(check("noter.txt", &[0xff, 0xfe, 0x00]), Err(Refusal::Kind));
        assert_eq!(check("tom.pdf", b""), Err(Refusal::Empty));
        assert_eq!(check("stor.pdf", &[b'%'; MAX_BYTES + 1]), Err(Refusal::TooLarge));
        assert_eq!(clean_name("C:\\Users\\x\\Dagsorden \"ny\".docx"), "Dagsorden ny.docx");
        assert_eq!(clean_name("../../.hemmelig.pdf"), "hemmelig.pdf");
    }
}
