//! The `poleposition` command: the older tool installed itself under this name too, and
//! scripts written for it keep working. It is the same program as `polepos`.

use std::process::ExitCode;

fn main() -> ExitCode {
    polepos::main()
}
