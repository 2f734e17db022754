//! A step of the Microsoft Deployment Toolkit (MDT) in an MDT-integrated or Lite Touch sequence,
//! told by its `BDD_*` type and by the MDT script its action runs.
//!
//! MDT's steps have a `type` of their own (`BDD_Gather`, `BDD_InstallApplication`, …) or none at
//! all (Lite Touch's templates leave it out), and an action such as
//! `cscript.exe "%SCRIPTROOT%\ZTIWindowsUpdate.wsf"`. The script says what the step does, so it
//! is what the import reads: Windows Update becomes an update step, Install Applications a
//! software step, Gather a short command, and every other script a command with a note naming it.

use crate::configmgr::export::mdt;

/// An MDT step: the script it runs and what patchsim makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdtStep {
    /// The MDT script, as MDT's own templates spell it (`ZTIGather.wsf`), or the `BDD_*` type
    /// when the action names no script.
    pub script: String,
    /// What it does, as far as patchsim models it.
    pub role: MdtRole,
}

/// What an MDT step does, as far as patchsim models it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdtRole {
    /// `ZTIWindowsUpdate.wsf`: installs updates from Windows Update or WSUS, restarting between
    /// passes: an `install_updates` step.
    WindowsUpdate,
    /// `ZTIApplications.wsf`, `BDD_InstallApplication`: an `install_software` step.
    Applications,
    /// `ZTIGather.wsf`, `BDD_Gather`: reads the machine and the rules into MDT variables (`PHASE`,
    /// `DeploymentType`, `IsServerOS`…), which patchsim cannot compute: a short command.
    Gather,
    /// A script that only checks or sets MDT's own state (`ZTIValidate.wsf`,
    /// `ZTINextPhase.wsf`, `ZTISetVariable.wsf`): a quick command.
    Quick,
    /// Any other MDT script or `BDD_*` type: a command with the unknown-step default.
    Other,
}

impl MdtStep {
    /// The MDT step a console step is, by its type, its action and its name; `None` for a step
    /// that is not MDT's (a console type whose action runs no MDT script).
    ///
    /// A step of a console type (`SMS_TaskSequence_…`) counts only when its action runs
    /// Windows Update, Install Applications or Gather: a Run Command Line step running another
    /// MDT script is a command line like any other.
    pub fn recognise(console_type: &str, action: Option<&str>, name: &str) -> Option<Self> {
        let script = action.and_then(script_of);
        let is_bdd = console_type.len() > mdt::TYPE_PREFIX.len()
            && console_type.get(..mdt::TYPE_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(mdt::TYPE_PREFIX));
        let typeless = console_type.trim().is_empty();
        let role_of_script = script.as_deref().map(role_of);
        let role = match role_of_script {
            Some(r @ (MdtRole::WindowsUpdate | MdtRole::Applications | MdtRole::Gather)) => r,
            _ if console_type.eq_ignore_ascii_case(mdt::INSTALL_APPLICATION_TYPE) => MdtRole::Applications,
            _ if console_type.eq_ignore_ascii_case(mdt::GATHER_TYPE) => MdtRole::Gather,
            Some(r) if is_bdd || typeless => r,
            None if typeless
                && script.is_none()
                && mdt::WINDOWS_UPDATE_STEP_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name.trim())) =>
            {
                MdtRole::WindowsUpdate
            }
            None if is_bdd => MdtRole::Other,
            _ => return None,
        };
        let script = match (script, role) {
            (Some(s), _) => s,
            (None, MdtRole::WindowsUpdate) => mdt::WINDOWS_UPDATE_SCRIPT.to_owned(),
            (None, _) => console_type.trim().to_owned(),
        };
        Some(Self { script, role })
    }
}

/// The MDT script an action runs: the first word ending in `.wsf` (a file name, its folder
/// left out), spelled as MDT's templates spell it when it is one of the scripts patchsim knows.
fn script_of(action: &str) -> Option<String> {
    let word = action
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .find(|w| w.len() > 4 && w.get(w.len() - 4..).is_some_and(|end| end.eq_ignore_ascii_case(".wsf")))?;
    let file = word.rsplit(['\\', '/']).next().unwrap_or(word);
    if file.is_empty() || file.len() > 80 {
        return None;
    }
    let known = [mdt::GATHER_SCRIPT, mdt::WINDOWS_UPDATE_SCRIPT, mdt::APPLICATIONS_SCRIPT]
        .into_iter()
        .chain(mdt::QUICK_SCRIPTS.iter().copied())
        .find(|k| k.eq_ignore_ascii_case(file));
    Some(known.map_or_else(|| file.to_owned(), str::to_owned))
}

fn role_of(script: &str) -> MdtRole {
    if script == mdt::WINDOWS_UPDATE_SCRIPT {
        MdtRole::WindowsUpdate
    } else if script == mdt::APPLICATIONS_SCRIPT {
        MdtRole::Applications
    } else if script == mdt::GATHER_SCRIPT {
        MdtRole::Gather
    } else if mdt::QUICK_SCRIPTS.contains(&script) {
        MdtRole::Quick
    } else {
        MdtRole::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(t: &str, action: Option<&str>, name: &str) -> Option<MdtRole> {
        MdtStep::recognise(t, action, name).map(|s| s.role)
    }

    #[test]
    fn steps_are_told_by_their_script_then_their_type() {
        let wu = r#"cscript.exe "%SCRIPTROOT%\ZTIWindowsUpdate.wsf""#;
        assert_eq!(role("", Some(wu), "Windows Update"), Some(MdtRole::WindowsUpdate));
        assert_eq!(role("SMS_TaskSequence_RunCommandLineAction", Some(wu), "x"), Some(MdtRole::WindowsUpdate));
        let gather = r#"smsswd.exe /run:CAS00009 cscript.exe "%DeployRoot%\Scripts\ztigather.wsf""#;
        let step = MdtStep::recognise("BDD_Gather", Some(gather), "Gather").unwrap();
        assert_eq!((step.script.as_str(), step.role), ("ZTIGather.wsf", MdtRole::Gather));
        assert_eq!(role("BDD_Gather", None, "Gather"), Some(MdtRole::Gather));
        assert_eq!(role("BDD_InstallApplication", Some("custom.exe"), "App"), Some(MdtRole::Applications));
        assert_eq!(role("", Some(r#"cscript.exe "%SCRIPTROOT%\ZTINextPhase.wsf""#), "Next"), Some(MdtRole::Quick));
        let other = MdtStep::recognise("", Some(r#"cscript.exe "%SCRIPTROOT%\ZTIBackup.wsf""#), "Backup").unwrap();
        assert_eq!((other.script.as_str(), other.role), ("ZTIBackup.wsf", MdtRole::Other));
        assert_eq!(role("BDD_InjectDrivers", None, "Drivers"), Some(MdtRole::Other));
        // A console command line running another MDT script is a command line like any other.
        assert_eq!(role("SMS_TaskSequence_RunCommandLineAction", Some(r#"cscript "ZTIBde.wsf""#), "x"), None);
        assert_eq!(role("SMS_TaskSequence_RunCommandLineAction", Some("cmd /c exit 0"), "x"), None);
        // A typeless step without an action is Windows Update only by the template's name.
        assert_eq!(role("", None, "Windows Update (Post-Application Installation)"), Some(MdtRole::WindowsUpdate));
        assert_eq!(role("", None, "Something"), None);
    }
}
