//! TODO
use crate::model::{Host, Model};
use std::fmt::{self, Write};

pub fn write(model: &Model, host: &Host, out: &mut impl Write) -> fmt::Result {
    let _ = (model, host, out);
    todo!()
}
