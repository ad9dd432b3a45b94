//! numpy's `.npz`, written by hand: a zip archive of `.npy` files, each entry stored (no compression), so a script
//! can `np.load` arrays the playground generated (the symbol sets, which PyTorch cannot regenerate).
//!
//! `.npy` (format 1.0): the magic `\x93NUMPY`, the version bytes 1 0, a little-endian u16 header length, then an ASCII
//! Python dict `{'descr': '<f4', 'fortran_order': False, 'shape': (N, C, H, W), }` padded with spaces and ended
//! by a newline so that the data start at a multiple of 64 bytes, then the values, little-endian, C order.
//! The zip: per entry a local header, the bytes; then the central directory and its end record (no zip64: the
//! archive stays far below 4 GiB; refused otherwise, param `npz`, code `too_large`). CRC-32 is the zip one
//! (reflected polynomial 0xEDB88320).

use crate::error::{Error, Result};

/// One array's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    F32(Vec<f32>),
    I64(Vec<i64>),
}

/// One named array: `shape`'s product is the number of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Values,
}

/// The bytes of one `.npy` file (module docs).
pub fn npy(shape: &[usize], values: &Values) -> Vec<u8> {
    let descr = match values {
        Values::F32(_) => "<f4",
        Values::I64(_) => "<i8",
    };
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 8 * shape.iter().product::<usize>());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    match values {
        Values::F32(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Values::I64(v) => v.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
    }
    out
}

/// CRC-32 as zip computes it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The `.npz` of `arrays` (entries `NAME.npy`, stored). Errors: an array whose values do not fill its shape (param
/// `npz`, code `shape_mismatch`), an archive past 4 GiB (`too_large`).
pub fn npz(arrays: &[Array]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for a in arrays {
        let len = match &a.values {
            Values::F32(v) => v.len(),
            Values::I64(v) => v.len(),
        };
        if len != a.shape.iter().product::<usize>() {
            return Err(Error::coded("npz", "shape_mismatch", format!("{} values do not fill {:?}", len, a.shape))
                .with("got", len as f64));
        }
        let name = format!("{}.npy", a.name);
        let data = npy(&a.shape, &a.values);
        let (crc, size, offset) = (crc32(&data), u32_of(data.len())?, u32_of(out.len())?);
        // Local file header: version 2.0, no flags, stored, time 00:00 1980-01-01.
        let fixed = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            for v in [20u16, 0, 0, 0, 0x21] {
                h.extend_from_slice(&v.to_le_bytes()); // needed, flags, method, time, date
            }
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            h
        };
        out.extend(fixed(0x0403_4b50, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        let mut c = fixed(0x0201_4b50, true);
        for v in [0u16, 0, 0] {
            c.extend_from_slice(&v.to_le_bytes()); // comment, disk, internal attributes
        }
        c.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        central.extend(c);
    }
    let (dir_offset, dir_size) = (u32_of(out.len())?, u32_of(central.len())?);
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let n = arrays.len() as u16;
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&dir_size.to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

fn u32_of(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::coded("npz", "too_large", "the archive would pass 4 GiB")
            .with("got", n as f64)
            .with("max", u32::MAX as f64)
    })
}
