//! Profile photos (spec 02 §6): JPEG or PNG, at most 4 MB, with their pixel size.

use crate::{Error, Result};

/// The largest photo accepted, in bytes.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// A validated profile photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// `image/jpeg` or `image/png`, read from the data itself.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl Photo {
    /// Accepts JPEG and PNG images up to [`MAX_BYTES`]; anything else is refused with a message
    /// saying why.
    pub fn parse(bytes: Vec<u8>) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Error::invalid("The photo is empty."));
        }
        if bytes.len() > MAX_BYTES {
            return Err(Error::invalid("The photo is larger than 4 MB."));
        }
        let content_type = match imagesize::image_type(&bytes) {
            Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
            Ok(imagesize::ImageType::Png) => "image/png",
            _ => return Err(Error::invalid("The photo must be a JPEG or PNG image.")),
        };
        let size = imagesize::blob_size(&bytes)
            .map_err(|_| Error::invalid("The photo is not a readable image."))?;
        let (Ok(width), Ok(height)) = (u32::try_from(size.width), u32::try_from(size.height))
        else {
            return Err(Error::invalid("The photo is not a readable image."));
        };
        if width == 0 || height == 0 {
            return Err(Error::invalid("The photo is not a readable image."));
        }
        Ok(Self {
            content_type,
            width,
            height,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×3 PNG header (signature and IHDR), which is all the size reading needs.
    fn png(width: u8, height: u8) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        b.extend([0, 0, 0, 13]);
        b.extend(b"IHDR");
        b.extend([0, 0, 0, width, 0, 0, 0, height, 8, 6, 0, 0, 0]);
        b.extend([0, 0, 0, 0]);
        b
    }

    #[test]
    fn accepts_png_and_reads_its_size() {
        let p = Photo::parse(png(2, 3)).unwrap();
        assert_eq!((p.content_type, p.width, p.height), ("image/png", 2, 3));
    }

    #[test]
    fn refuses_what_is_not_a_jpeg_or_png() {
        assert!(Photo::parse(Vec::new()).is_err());
        assert!(Photo::parse(b"GIF89a......".to_vec()).is_err());
        assert!(Photo::parse(b"hello world".to_vec()).is_err());
        assert!(Photo::parse(png(0, 3)).is_err());
        let mut big = png(2, 3);
        big.resize(MAX_BYTES + 1, 0);
        assert!(Photo::parse(big).is_err());
    }
}
