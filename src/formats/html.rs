//! Stub, being written.

use std::path::Path;

use super::{Cursor, Format, ParseError};
use crate::article::Article;

pub(crate) struct Html;

impl Format for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn detect(&self, _head: &str, _path: &Path) -> u8 {
        0
    }

    fn parse(
        &self,
        _text: &str,
        _cursor: &mut Cursor,
        _sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        Ok(())
    }
}
