//! `vigil rules validate|list|describe`.

use anyhow::{Result, bail};

use crate::ExitStatus;
use crate::args::RulesCommand;

pub(crate) fn run(cmd: RulesCommand) -> Result<ExitStatus> {
    let _ = cmd;
    bail!("the rules loader is being integrated")
}
