//! Text encodings of the files users bring: what a byte-order mark says, and UTF-16 (what
//! Windows PowerShell's `Out-File` and Excel's "Unicode text" write) decoded to a `String`.
//! The one place every reader (scenarios, timings, exports, inventories, histories) decodes
//! UTF-16.

/// The text of a file that starts with a UTF-16 byte-order mark, and the encoding's name
/// (`"UTF-16LE"` or `"UTF-16BE"`); `None` when the file has no UTF-16 byte-order mark. The
/// error says what is wrong with a damaged or cut-short file.
pub fn utf16_with_bom(bytes: &[u8]) -> Option<Result<(String, &'static str), String>> {
    let (rest, little, name) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (rest, true, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (rest, false, "UTF-16BE")
    } else {
        return None;
    };
    if rest.len() % 2 == 1 {
        return Some(Err(format!("the file starts as {name} but has an odd number of bytes: is it cut short?")));
    }
    let units = rest
        .chunks_exact(2)
        .map(|c| if little { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(|text| (text, name))
            .map_err(|_| format!("the file starts as {name} but is not valid {name}: is it damaged?")),
    )
}

/// The text of a file in UTF-16 without a byte-order mark (what .NET's `UnicodeEncoding`
/// without a preamble writes), told by its NUL bytes: of the first 64 code units at least three
/// in four must have a zero high byte (text that is mostly ASCII, as every CSV header here is),
/// and the first must not be zero. `None` when the bytes do not look so; UTF-8 and Windows-1252
/// text hold no NUL, so neither is taken for UTF-16.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<Result<(String, &'static str), String>> {
    if bytes.len() < 4 || bytes.len() % 2 == 1 {
        return None;
    }
    let head: Vec<[u8; 2]> = bytes.chunks_exact(2).take(64).map(|c| [c[0], c[1]]).collect();
    let mostly = |high: usize| head.iter().filter(|u| u[high] == 0 && u[1 - high] != 0).count() * 4 >= head.len() * 3;
    let little = if mostly(1) && head[0][0] != 0 {
        true
    } else if mostly(0) && head[0][1] != 0 {
        false
    } else {
        return None;
    };
    let name = if little { "UTF-16LE" } else { "UTF-16BE" };
    let units = bytes
        .chunks_exact(2)
        .map(|c| if little { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    Some(char::decode_utf16(units).collect::<Result<String, _>>().map(|text| (text, name)).map_err(|_| {
        format!("the file looks like {name} without a byte-order mark but is not valid {name}: is it damaged?")
    }))
}

/// What Windows-1252 maps bytes 0x80 to 0x9F to; the five it leaves undefined map to the C1
/// control of the same number, as Windows itself decodes them.
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’',
    '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Bytes in Windows-1252 (Western European, the "ANSI" code page of English, French, German and
/// other Windows installations) decoded: every byte is a character.
///
/// ```
/// assert_eq!(patchsim::input::encoding::windows_1252(b"Z\xfcrich \x80 \x93ok\x94"), "Zürich € “ok”");
/// ```
pub fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_decodes_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = windows_1252(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(text.chars().nth(0xE9), Some('é'));
        assert_eq!(text.chars().nth(0x9C), Some('œ'));
    }

    #[test]
    fn decodes_both_byte_orders_and_names_damage() {
        let le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("Zürich €".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("Zürich €".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(utf16_with_bom(&le), Some(Ok(("Zürich €".to_owned(), "UTF-16LE"))));
        assert_eq!(utf16_with_bom(&be), Some(Ok(("Zürich €".to_owned(), "UTF-16BE"))));
        assert_eq!(utf16_with_bom(b"plain"), None);
        assert!(utf16_with_bom(&le[..le.len() - 1]).unwrap().unwrap_err().contains("odd number of bytes"));
        // Without the mark, told by the NUL bytes of mostly-ASCII text.
        assert_eq!(utf16_without_bom(&le[2..]), Some(Ok(("Zürich €".to_owned(), "UTF-16LE"))));
        assert_eq!(utf16_without_bom(&be[2..]), Some(Ok(("Zürich €".to_owned(), "UTF-16BE"))));
        assert_eq!(utf16_without_bom(b"Zurich,1\n"), None);
        assert_eq!(utf16_without_bom("Zürich".as_bytes()), None);
        assert_eq!(utf16_without_bom(b"a\0\0\0"), None, "mostly NUL is not text");
        // A lone surrogate.
        assert!(utf16_with_bom(&[0xFF, 0xFE, 0x00, 0xD8]).unwrap().unwrap_err().contains("not valid UTF-16LE"));
    }
}
