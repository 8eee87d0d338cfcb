//! `vjc completions SHELL` and `vjc man`: generated from the same clap
//! definition the binary parses its arguments with, so they cannot drift
//! from it.

use super::{Cli, EXIT_USAGE, Stderr};
use clap::{CommandFactory, ValueEnum};
use std::io::{self, Write};

pub(super) const COMPLETIONS_AFTER_HELP: &str = "\
Install the script where the shell looks for completions, e.g.:
  vjc completions bash > /usr/local/share/bash-completion/completions/vjc
  vjc completions zsh > /usr/local/share/zsh/site-functions/_vjc
  vjc completions fish > ~/.config/fish/completions/vjc.fish";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Prints the completion script for `shell` on stdout.
pub(super) fn completions(shell: Shell) -> u8 {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "vjc", &mut script);
    // A closed stdout (`| head`) is not an error worth a panic.
    let _ = io::stdout().lock().write_all(&script);
    0
}

/// Prints vjc(1), or vjc-COMMAND(1) when `command` names one, as roff on
/// stdout. vjc(1) lists its commands as vjc-compile(1) and so on, as
/// clap_mangen does (and git's pages do).
pub(super) fn man(stderr: &mut Stderr, command: Option<&str>) -> u8 {
    let mut cmd = Cli::command();
    // Gives each subcommand its page name (`vjc-compile`) and the command
    // line its synopsis shows (`vjc compile`).
    cmd.build();
    let cmd = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) if name != "help" => sub.clone(),
            _ => {
                stderr.error(format_args!("vjc has no command `{name}`"));
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|&n| n != "help")
                    .collect();
                stderr.note(format_args!("its commands: {}", names.join(", ")));
                return EXIT_USAGE;
            }
        },
    };
    match page(cmd) {
        Ok(page) => {
            // A closed stdout (`| head`) is not an error worth a panic.
            let _ = io::stdout().lock().write_all(&page);
            0
        }
        Err(e) => {
            stderr.error(format_args!("cannot render the man page: {e}"));
            EXIT_USAGE
        }
    }
}

/// clap_mangen's page, with three changes: the `.TH` line comes first
/// (mandoc and lexgrog expect it there) with an upper-case title and an
/// explicitly empty date (clap_mangen leaves the date out unquoted, which
/// shifts its source into the date's place); and the `after_help` text
/// (examples, exit status, the output directory's rules) goes under NOTES
/// rather than EXTRA.
fn page(cmd: clap::Command) -> io::Result<Vec<u8>> {
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_uppercase();
    let man = clap_mangen::Man::new(cmd);
    let mut rendered = Vec::new();
    man.render(&mut rendered)?;
    let rendered = String::from_utf8_lossy(&rendered);
    let mut page = format!(".TH {title} 1 \"\" \"vjc {}\"\n", env!("CARGO_PKG_VERSION"));
    for line in rendered.lines() {
        match line {
            l if l.starts_with(".TH ") => {}
            ".SH EXTRA" => page.push_str(".SH NOTES\n"),
            l => {
                page.push_str(l);
                page.push('\n');
            }
        }
    }
    Ok(page.into_bytes())
}
