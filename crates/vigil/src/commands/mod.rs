//! One module per subcommand.

use anyhow::Result;

use crate::ExitStatus;
use crate::args::{Cli, Command};

mod audit;
mod capture;
pub(crate) mod check;
mod fields;
mod inspect;
mod live;
mod pipeline;
mod prefetch;
mod replay;
pub(crate) mod rules;
mod run;

pub(crate) fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Rules(cmd) => rules::run(cmd),
        Command::Fields(args) => fields::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Capture(args) => capture::run(&args),
        Command::Audit(cmd) => audit::run(cmd),
    }
}
