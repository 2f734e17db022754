//! An exported task sequence (the `Sequence` of `SMS_TaskSequencePackage`): the step and
//! condition types, the names of the variables in a step's `defaultVarList` that the import
//! reads, and where the console's export archive keeps each task sequence ([`archive`]).

/// The prefix of every console step and condition type.
pub const TYPE_PREFIX: &str = "SMS_TaskSequence_";

/// The type of a child task sequence when an export leaves it out.
pub const SUB_TASK_SEQUENCE: &str = "SMS_TaskSequence_SubTasksequence";

/// The archive the console's *Export* wizard and `Export-CMTaskSequence` write: a `.zip` with a
/// folder per object class and a folder per object in it, each holding the object's WMI
/// instance as `object.xml` (`SMS_TaskSequencePackage/PS100023/object.xml`, its `Sequence`
/// property the task sequence XML as escaped text), beside the folders of the packages,
/// applications and other objects exported with it.
pub mod archive {
    /// The folder of the task sequence packages.
    pub const TASK_SEQUENCE_FOLDER: &str = "SMS_TaskSequencePackage";
    /// The file of each object, in its folder named after its ID.
    pub const OBJECT_FILE: &str = "object.xml";
}

/// Step types, without [`TYPE_PREFIX`].
pub mod step {
    /// Run Command Line.
    pub const RUN_COMMAND_LINE: &str = "RunCommandLineAction";
    /// Run PowerShell Script.
    pub const RUN_POWERSHELL_SCRIPT: &str = "RunPowerShellScriptAction";
    /// Install Package.
    pub const INSTALL_SOFTWARE: &str = "InstallSoftwareAction";
    /// Install Application.
    pub const INSTALL_APPLICATION: &str = "InstallApplicationAction";
    /// Install Software Updates.
    pub const INSTALL_UPDATE: &str = "InstallUpdateAction";
    /// Restart Computer.
    pub const REBOOT: &str = "RebootAction";
    /// Set Task Sequence Variable.
    pub const SET_VARIABLE: &str = "SetVariableAction";
    /// Set Dynamic Variables.
    pub const SET_DYNAMIC_VARIABLES: &str = "SetDynamicVariablesAction";
    /// Download Package Content.
    pub const DOWNLOAD_PACKAGE_CONTENT: &str = "DownloadPackageContentAction";
    /// Check Readiness.
    pub const PRESTART_CHECK: &str = "PrestartCheckAction";
    /// Connect To Network Folder.
    pub const CONNECT_NETWORK_FOLDER: &str = "ConnectNetworkFolderAction";
    /// Run Task Sequence: runs a child task sequence, named by its package ID (`TsPackageID`).
    pub const RUN_TASK_SEQUENCE: &str = "RunTaskSequenceAction";
}

/// Condition expression types, without [`TYPE_PREFIX`].
pub mod condition {
    /// A test of a task-sequence variable.
    pub const VARIABLE: &str = "VariableConditionExpression";
    /// A WMI query.
    pub const WMI: &str = "WMIConditionExpression";
    /// A file's existence, version or date.
    pub const FILE: &str = "FileConditionExpression";
    /// A folder's existence or date.
    pub const FOLDER: &str = "FolderConditionExpression";
    /// A registry value.
    pub const REGISTRY: &str = "RegistryConditionExpression";
    /// Installed software.
    pub const SOFTWARE: &str = "SoftwareConditionExpression";
}

/// Variables of a step's or expression's `defaultVarList` (their `name` attribute).
pub mod variable {
    /// Run Command Line: the command.
    pub const COMMAND_LINE: &str = "CommandLine";
    /// Run PowerShell Script: the script, embedded.
    pub const POWERSHELL_SOURCE_SCRIPT: &str = "OSDRunPowerShellScriptSourceScript";
    /// Run PowerShell Script: the variable its output is written to (by the property's name:
    /// the variable is `OSDRunPShellScriptOutputVariableName`).
    pub const POWERSHELL_OUTPUT_VARIABLE: &str = "OutputVariableName";
    /// Run PowerShell Script: the script's file name.
    pub const POWERSHELL_SCRIPT: &str = "OSDRunPowerShellScript";
    /// Install Package: the package.
    pub const PACKAGE_ID: &str = "PackageID";
    /// Install Package: the program.
    pub const PROGRAM_NAME: &str = "ProgramName";
    /// Install Package: the base name of a variable list of packages.
    pub const BASE_VARIABLE_NAME: &str = "BaseVariableName";
    /// Install Application: the applications listed.
    pub const APPLICATION_NAME: &str = "ApplicationName";
    /// Install Application: how many applications.
    pub const NUM_APPS: &str = "NumApps";
    /// Install Application: "If an application fails, continue installing other applications in
    /// the list".
    pub const CONTINUE_ON_INSTALL_ERROR: &str = "ContinueOnInstallError";
    /// Install Software Updates: "Evaluate software updates from cached scan results".
    pub const SCAN_USE_CACHE: &str = "SMSTSSoftwareUpdateScanUseCache";
    /// Restart Computer: how long the notification shows, in seconds ("Message display time-out").
    pub const REBOOT_TIMEOUT: &str = "SMSRebootTimeout";
    /// A step's "retry this step if computer unexpectedly restarts" count.
    pub const RETRY_COUNT: &str = "RetryCount";
    /// Install Software Updates: `Mandatory` or `All`.
    pub const INSTALL_UPDATE_TARGET: &str = "SMSInstallUpdateTarget";
    /// Set Task Sequence Variable: the variable.
    pub const VARIABLE_NAME: &str = "VariableName";
    /// Set Task Sequence Variable: its value.
    pub const VARIABLE_VALUE: &str = "VariableValue";
    /// Run Task Sequence: the child task sequence's package ID.
    pub const TS_PACKAGE_ID: &str = "TsPackageID";
    /// Download Package Content: the packages it downloads, as a comma-separated list of IDs.
    pub const DOWNLOAD_PACKAGES: &str = "OSDDownloadDownloadPackages";
    /// Download Package Content: each package's entry is `OSDPackage{N}PackageId`,
    /// `OSDPackage{N}Name` and `OSDPackage{N}Size` (an `SMS_TaskSequence_PackageInfo`, its size
    /// in kilobytes), numbered from 0.
    pub const PACKAGE_INFO_PREFIX: &str = "OSDPackage";
    /// The suffix of a Download Package Content entry's package ID.
    pub const PACKAGE_INFO_ID: &str = "PackageId";
    /// The suffix of a Download Package Content entry's package name.
    pub const PACKAGE_INFO_NAME: &str = "Name";
    /// The suffix of a Download Package Content entry's size, in kilobytes.
    pub const PACKAGE_INFO_SIZE: &str = "Size";
    /// A variable condition: the variable tested.
    pub const TESTED_VARIABLE: &str = "Variable";
    /// A variable or registry condition: the operator.
    pub const OPERATOR: &str = "Operator";
    /// A variable or registry condition: the value compared with.
    pub const VALUE: &str = "Value";
    /// A WMI condition: the query.
    pub const QUERY: &str = "Query";
    /// A WMI condition: its namespace.
    pub const NAMESPACE: &str = "Namespace";
    /// A file or folder condition: the path.
    pub const PATH: &str = "Path";
    /// A registry condition: the key.
    pub const KEY_PATH: &str = "KeyPath";
    /// A registry condition: the data compared with.
    pub const DATA: &str = "Data";
    /// A software condition: the product's name.
    pub const PRODUCT_NAME: &str = "ProductName";
    /// A software condition: the product's code.
    pub const PRODUCT_CODE: &str = "ProductCode";
}

/// The Microsoft Deployment Toolkit's steps in an MDT-integrated or Lite Touch sequence: their
/// `BDD_*` types, the scripts their actions run (`cscript.exe "%SCRIPTROOT%\ZTIGather.wsf"`), and
/// the variables only MDT's Gather sets.
pub mod mdt {
    /// The prefix of MDT's own step types (`BDD_Gather`, `BDD_InstallApplication`, …).
    pub const TYPE_PREFIX: &str = "BDD_";
    /// Gather: reads the machine and the rules (`CustomSettings.ini`) into MDT variables.
    pub const GATHER_TYPE: &str = "BDD_Gather";
    /// Install Application: one application of the deployment share, or the list it is given.
    pub const INSTALL_APPLICATION_TYPE: &str = "BDD_InstallApplication";
    /// Gather's script.
    pub const GATHER_SCRIPT: &str = "ZTIGather.wsf";
    /// Windows Update (Pre-/Post-Application Installation)'s script: Windows Update or WSUS.
    pub const WINDOWS_UPDATE_SCRIPT: &str = "ZTIWindowsUpdate.wsf";
    /// Install Applications' script.
    pub const APPLICATIONS_SCRIPT: &str = "ZTIApplications.wsf";
    /// Scripts that only set or check MDT's own state and take seconds: Validate, Next Phase,
    /// Set Variable.
    pub const QUICK_SCRIPTS: &[&str] = &["ZTIValidate.wsf", "ZTINextPhase.wsf", "ZTISetVariable.wsf"];
    /// The names MDT's Windows Update steps have in the Lite Touch templates, for a step whose
    /// action is missing.
    pub const WINDOWS_UPDATE_STEP_NAMES: &[&str] =
        &["Windows Update (Pre-Application Installation)", "Windows Update (Post-Application Installation)"];
    /// Install Application: the one application it installs (empty: the deployment's list).
    pub const APPLICATION_GUID: &str = "ApplicationGUID";
    /// The deployment phase (`VALIDATION`, `STATECAPTURE`, `PREINSTALL`, `INSTALL`,
    /// `POSTINSTALL`, `STATERESTORE`): set by Lite Touch and Gather, advanced by Next Phase.
    pub const PHASE: &str = "PHASE";
    /// Variables Gather sets from the machine and the rules, which conditions of MDT sequences
    /// test. (Not every one: the common ones of the templates.)
    pub const GATHERED: &[&str] = &[
        "PHASE",
        "DeploymentType",
        "DeploymentMethod",
        "IsServerOS",
        "IsServerCoreOS",
        "IsDesktop",
        "IsLaptop",
        "IsServer",
        "IsVM",
        "IsUEFI",
        "IsOnBattery",
        "OSCurrentVersion",
        "OSCurrentBuild",
        "OSVersion",
        "Make",
        "Model",
        "Product",
        "Architecture",
        "ImageBuild",
        "ImageFlags",
        "DoCapture",
    ];
}
