//! TODO
use crate::model::{Host, Jail, Model};
use std::fmt::{self, Write};

pub fn write(model: &Model, host: &Host, jail: &Jail, out: &mut impl Write) -> fmt::Result {
    let _ = (model, host, jail, out);
    todo!()
}
