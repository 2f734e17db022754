//! The task sequence compiled once into a flat program the engine steps through.
//!
//! A group becomes an `Enter` op, its children, and a `Leave` op; a step becomes a `Run` op.
//! Every node knows its parent group and the program counter just after it, so skipping a group
//! or unwinding a failure is a jump, not a search. Names, variables and values are interned;
//! exit codes are resolved to what they mean (success, restart, wrapper variable) ahead of time;
//! each node carries the tags of its random streams.

use super::engine_variables::{CODE_FAILED, CODE_TIMED_OUT, EngineVariables};
use super::guard::Guard;
use super::symbols::{Symbols, UNSET, ValueId, VarId};
use crate::random::layout::{Purpose, StepDraw, count_tag, node_tag};
use crate::scenario::resource::{Download, ResourceId, Uses};
use crate::scenario::step::EXIT_RESTART_REQUIRED;
use crate::scenario::{
    Action, CountDist, DurationDist, ExitBehaviour, Items, Millis, Node, NodeKind, On3010, Scenario, UpdateSettings,
};

/// Index of a node in [`Program::nodes`].
pub type NodeId = u32;

/// One instruction of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Enter a group (or skip it: jump to the group's `next`).
    Enter(NodeId),
    /// Leave a group that ran to its end.
    Leave(NodeId),
    /// Run a step.
    Run(NodeId),
}

/// A step or group of the compiled program.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramNode {
    /// The name from the scenario.
    pub name: String,
    /// Dotted key of the node in the scenario, e.g. `step.7.steps.1`.
    pub key: String,
    /// Nesting depth (0 at the top).
    pub depth: u16,
    /// The enclosing group.
    pub parent: Option<NodeId>,
    /// Program counter just after the node (after the `Leave` of a group).
    pub next: u32,
    /// Skipped without evaluating anything.
    pub disabled: bool,
    /// On failure, go on with the next sibling.
    pub continue_on_error: bool,
    /// `install_software`: when an item fails, go on installing the others.
    pub continue_list: bool,
    /// The step's name as a value (`_SMSTSLastActionName`; [`UNSET`] when nothing tests it).
    pub name_value: ValueId,
    /// Run only when this holds.
    pub guard: Option<Guard>,
    /// Probability that each probe of the guard holds.
    pub probe_holds: f64,
    /// Messages the step's completion sends, overriding the event count.
    pub messages: Option<u32>,
    /// Tags of the node's random streams, indexed by [`StepDraw`] value.
    pub draw_tags: [u64; StepDraw::ALL.len() + 1],
    /// What the step does; `None` for a group.
    pub action: Option<ProgramAction>,
    /// The resources the step's activities run on (format 1.1).
    pub uses: Uses,
    /// The content the step downloads (with `uses.download`).
    pub download: Option<Download>,
}

impl ProgramNode {
    /// The stream tag for one kind of draw of this node.
    #[inline(always)]
    pub fn tag(&self, kind: StepDraw) -> u64 {
        self.draw_tags[kind as usize]
    }
}

/// A step's action, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgramAction {
    /// Waits.
    Sleep {
        /// How long.
        duration: DurationDist,
    },
    /// A command line.
    Command {
        /// How long.
        duration: DurationDist,
        /// What its exit codes mean.
        exit: ExitTable,
    },
    /// Install Software Updates.
    InstallUpdates(Box<ProgramUpdates>),
    /// One install per item.
    InstallSoftware {
        /// How many items.
        items: ItemSource,
        /// Per-item duration.
        per_item: DurationDist,
        /// What each item's exit codes mean.
        exit: ExitTable,
    },
    /// Restart Computer.
    Restart {
        /// Duration override.
        duration: Option<DurationDist>,
        /// The restart notification shown first.
        notify: Millis,
    },
    /// Set a variable.
    SetVariable {
        /// The variable.
        variable: VarId,
        /// The value.
        value: ValueId,
    },
}

/// An Install Software Updates step, ready to run: its settings as the scenario gives them, with
/// its item count resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramUpdates {
    /// How many updates apply.
    pub items: ItemSource,
    /// Everything else, as read.
    pub settings: UpdateSettings,
}

/// Where a step's item count comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemSource {
    /// The server's drawn count number `index` of `[fleet.counts]`.
    Named(usize),
    /// A count drawn when the step runs.
    Dist(CountDist),
}

/// What each possible exit code of a step means, resolved at compile time.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitTable {
    /// Cumulative probabilities of the outcomes.
    pub cumulative: Vec<f64>,
    /// One entry per possible exit code.
    pub outcomes: Vec<ExitOutcome>,
    /// Kill the step (it fails) when it would run longer.
    pub timeout: Option<Millis>,
}

/// The meaning of one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitOutcome {
    /// The code the command returned.
    pub code: i64,
    /// The code the engine sees (0 when a wrapper caught 3010).
    pub reported: i64,
    /// Whether the step succeeds.
    pub success: bool,
    /// Whether the engine restarts the computer after the step.
    pub restart: bool,
    /// The variable a wrapper sets to `"true"`.
    pub set: Option<VarId>,
}

/// What every server of one class starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassProfile {
    /// The class name.
    pub name: String,
    /// Initial value of every variable (collection variables; [`UNSET`] elsewhere).
    pub variables: Vec<ValueId>,
    /// Restart duration for the class.
    pub restart: DurationDist,
    /// Each named count's distribution for the class.
    pub counts: Vec<CountDist>,
}

/// The compiled scenario: everything the engine needs, indexed and interned.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The instructions.
    pub ops: Vec<Op>,
    /// The steps and groups, in sequence order.
    pub nodes: Vec<ProgramNode>,
    /// Interned variable names and values.
    pub symbols: Symbols,
    /// The value `"true"` that wrappers set.
    pub true_value: ValueId,
    /// Per-class starting state.
    pub classes: Vec<ClassProfile>,
    /// Cumulative class shares.
    pub class_cumulative: Vec<f64>,
    /// Stream tag of each named count.
    pub count_tags: Vec<u64>,
    /// Which named counts some step uses.
    pub count_used: Vec<bool>,
    /// The inventory's variable columns that some condition tests, as variables.
    pub inventory_variables: Vec<VarId>,
    /// Row-major: each server's values of [`Program::inventory_variables`] ([`UNSET`] for an
    /// empty cell). Empty without an inventory.
    pub inventory_values: Vec<ValueId>,
    /// The resource every restart runs on, unless a restart step names its own.
    pub restart_uses: Option<ResourceId>,
    /// Whether any activity runs on a shared resource: the fleet's runs are then coupled.
    pub uses_resources: bool,
    /// The engine's own variables the scenario reads or sets.
    pub engine: EngineVariables,
}

impl Program {
    /// Compiles a checked scenario.
    pub fn compile(scenario: &Scenario) -> Self {
        let mut symbols = Symbols::default();
        let true_value = symbols.value("true");
        let mut program = Self {
            ops: Vec::new(),
            nodes: Vec::new(),
            symbols: Symbols::default(),
            true_value,
            classes: Vec::new(),
            class_cumulative: Vec::new(),
            count_tags: scenario.fleet.counts.iter().map(|c| count_tag(&c.name)).collect(),
            count_used: vec![false; scenario.fleet.counts.len()],
            inventory_variables: Vec::new(),
            inventory_values: Vec::new(),
            restart_uses: scenario.restart.uses,
            uses_resources: scenario.restart.uses.is_some(),
            engine: EngineVariables::default(),
        };
        // Collection variables are interned first so that class profiles can be built after.
        for class in &scenario.fleet.classes {
            for (name, value) in &class.variables {
                symbols.variable(name);
                symbols.value(value);
            }
        }
        let mut occurrences: Vec<(String, u64)> = Vec::new();
        let mut compiler = Compiler { program: &mut program, symbols: &mut symbols, occurrences: &mut occurrences };
        for (i, node) in scenario.steps.iter().enumerate() {
            compiler.node(node, format!("step.{i}"), 0, None);
        }
        program.engine = EngineVariables::compile(&mut symbols, program.return_codes());
        if program.engine.last_action.is_some() {
            for node in &mut program.nodes {
                node.name_value = symbols.value(&node.name);
            }
        }
        // The read-only facts of a running OS that some condition tests.
        let mut facts: Vec<(VarId, ValueId)> = Vec::new();
        for (name, value) in scenario.engine.all_facts() {
            if let Some(id) = symbols.find_variable(name) {
                facts.push((id, symbols.value(value)));
            }
        }
        let var_count = symbols.variable_count();
        program.classes = scenario
            .fleet
            .classes
            .iter()
            .map(|class| {
                let mut variables = vec![UNSET; var_count];
                for &(id, value) in &facts {
                    variables[id as usize] = value;
                }
                for (name, value) in &class.variables {
                    let id = symbols.variable(name);
                    variables[id as usize] = symbols.value(value);
                }
                let mut counts: Vec<CountDist> = scenario.fleet.counts.iter().map(|c| c.dist.clone()).collect();
                for (index, dist) in &class.counts {
                    counts[*index] = dist.clone();
                }
                ClassProfile {
                    name: class.name.clone(),
                    variables,
                    restart: class.restart.clone().unwrap_or_else(|| scenario.restart.duration.clone()),
                    counts,
                }
            })
            .collect();
        let shares: Vec<f64> = scenario.fleet.classes.iter().map(|c| c.share).collect();
        program.class_cumulative = crate::scenario::distribution::cumulate(&shares, shares.iter().sum());
        if let Some(inventory) = scenario.windows.inventory() {
            // Only the columns some condition tests matter to a run; the others are left out.
            let mut tested = vec![false; symbols.variable_count()];
            for node in &program.nodes {
                if let Some(guard) = &node.guard {
                    guard.mark_variables(&mut tested);
                }
            }
            let columns: Vec<(usize, VarId)> = inventory
                .variables
                .iter()
                .enumerate()
                .filter_map(|(column, name)| {
                    let id = symbols.find_variable(name)?;
                    tested[id as usize].then_some((column, id))
                })
                .collect();
            let mut interned: Vec<ValueId> = vec![UNSET; inventory.values.len()];
            let width = inventory.variables.len();
            program.inventory_values = Vec::with_capacity(inventory.len() * columns.len());
            for server in 0..inventory.len() {
                for (column, _) in &columns {
                    let cell = inventory.cells[server * width + column];
                    let value = if cell == crate::scenario::inventory::EMPTY {
                        UNSET
                    } else {
                        let slot = &mut interned[cell as usize];
                        if *slot == UNSET {
                            *slot = symbols.value(&inventory.values[cell as usize]);
                        }
                        *slot
                    };
                    program.inventory_values.push(value);
                }
            }
            program.inventory_variables = columns.into_iter().map(|(_, id)| id).collect();
        }
        let folded = symbols.folded_values();
        for node in &mut program.nodes {
            if let Some(guard) = &mut node.guard {
                guard.resolve_with(&symbols, &folded);
            }
        }
        program.engine.resolve(&symbols);
        program.symbols = symbols;
        program
    }

    /// Every return code a step can record: each exit code as the engine sees it, and the codes
    /// of a step without one (success, failure, time-out).
    fn return_codes(&self) -> Vec<i64> {
        let mut codes = vec![0, CODE_FAILED, CODE_TIMED_OUT];
        for node in &self.nodes {
            if let Some(ProgramAction::Command { exit, .. } | ProgramAction::InstallSoftware { exit, .. }) =
                &node.action
            {
                codes.extend(exit.outcomes.iter().map(|o| o.reported));
            }
        }
        codes
    }

    /// Number of distinct task-sequence variables.
    pub fn variable_count(&self) -> usize {
        self.symbols.variable_count()
    }
}

struct Compiler<'p> {
    program: &'p mut Program,
    symbols: &'p mut Symbols,
    occurrences: &'p mut Vec<(String, u64)>,
}

impl Compiler<'_> {
    fn node(&mut self, node: &Node, key: String, depth: u16, parent: Option<NodeId>) {
        let id = self.program.nodes.len() as NodeId;
        let occurrence = match self.occurrences.iter_mut().find(|(n, _)| *n == node.name) {
            Some((_, k)) => {
                *k += 1;
                *k - 1
            }
            None => {
                self.occurrences.push((node.name.clone(), 1));
                0
            }
        };
        let tag = node_tag(&node.name, occurrence);
        let mut draw_tags = [0u64; StepDraw::ALL.len() + 1];
        for kind in StepDraw::ALL {
            draw_tags[kind as usize] = Purpose::Step { node: tag, kind }.tag();
        }
        let guard = node.condition.as_ref().map(|c| Guard::compile(c, self.symbols));
        let (messages, action, uses, download, continue_list) = match &node.kind {
            NodeKind::Group(_) => (None, None, Uses::default(), None, false),
            NodeKind::Step(step) => (
                step.messages,
                Some(self.action(&step.action)),
                step.uses,
                step.download.clone(),
                // Unless the step says, as its continue on error says (patchsim's first versions).
                step.continue_list.unwrap_or(node.continue_on_error),
            ),
        };
        self.program.uses_resources |= uses.any();
        self.program.nodes.push(ProgramNode {
            name: node.name.clone(),
            key: key.clone(),
            depth,
            parent,
            next: 0,
            disabled: node.disabled,
            continue_on_error: node.continue_on_error,
            continue_list,
            name_value: UNSET,
            guard,
            probe_holds: node.probe_holds,
            messages,
            draw_tags,
            action,
            uses,
            download,
        });
        match &node.kind {
            NodeKind::Group(children) => {
                self.program.ops.push(Op::Enter(id));
                for (i, child) in children.iter().enumerate() {
                    self.node(child, format!("{key}.steps.{i}"), depth + 1, Some(id));
                }
                self.program.ops.push(Op::Leave(id));
            }
            NodeKind::Step(_) => self.program.ops.push(Op::Run(id)),
        }
        self.program.nodes[id as usize].next = self.program.ops.len() as u32;
    }

    fn action(&mut self, action: &Action) -> ProgramAction {
        match action {
            Action::Sleep { duration } => ProgramAction::Sleep { duration: duration.clone() },
            Action::Command { duration, exit } => {
                ProgramAction::Command { duration: duration.clone(), exit: self.exit_table(exit) }
            }
            Action::InstallUpdates(u) => ProgramAction::InstallUpdates(Box::new(ProgramUpdates {
                items: self.items(&u.items),
                settings: u.clone(),
            })),
            Action::InstallSoftware { items, per_item, exit } => ProgramAction::InstallSoftware {
                items: self.items(items),
                per_item: per_item.clone(),
                exit: self.exit_table(exit),
            },
            Action::Restart { duration, notify } => {
                ProgramAction::Restart { duration: duration.clone(), notify: *notify }
            }
            // "To delete a variable, set the variable value to an empty string."
            Action::SetVariable { variable, value } => ProgramAction::SetVariable {
                variable: self.symbols.variable(variable),
                value: if value.is_empty() { UNSET } else { self.symbols.value(value) },
            },
        }
    }

    fn items(&mut self, items: &Items) -> ItemSource {
        match items {
            Items::Named { index, .. } => {
                self.program.count_used[*index] = true;
                ItemSource::Named(*index)
            }
            Items::Dist(d) => ItemSource::Dist(d.clone()),
        }
    }

    fn exit_table(&mut self, exit: &ExitBehaviour) -> ExitTable {
        let wrapper = match &exit.on_3010 {
            On3010::Restart => None,
            On3010::Set(var) => Some(self.symbols.variable(var)),
        };
        let outcomes = exit
            .codes
            .iter()
            .map(|&code| {
                let wrapped = code == EXIT_RESTART_REQUIRED && wrapper.is_some();
                let reported = if wrapped { 0 } else { code };
                let success = exit.success_codes.contains(&reported);
                ExitOutcome {
                    code,
                    reported,
                    success,
                    restart: code == EXIT_RESTART_REQUIRED && wrapper.is_none() && success,
                    set: if wrapped { wrapper } else { None },
                }
            })
            .collect();
        ExitTable { cumulative: exit.cumulative.clone(), outcomes, timeout: exit.timeout }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
name = "t"
[fleet]
servers = 1
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "2h"
[infrastructure]
status_manager_rate = 10
[[step]]
group = "G1"
continue_on_error = true
  [[step.steps]]
  name = "S1"
  type = "command"
  duration = "1m"
  exit_codes = { 0 = 0.5, 3010 = 0.25, 5 = 0.25 }
  [[step.steps]]
  group = "Inner"
    [[step.steps.steps]]
    name = "S1"
    type = "sleep"
    duration = "1m"
[[step]]
name = "Wrapped"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
on_3010 = { set = "RebootRequired" }
[[step]]
name = "Strict"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
success_codes = [0]
"#;

    #[test]
    fn groups_compile_to_enter_children_leave_with_jump_targets() {
        let scenario = Scenario::from_toml(SCENARIO, "t.toml").unwrap();
        let p = Program::compile(&scenario);
        assert_eq!(
            p.ops,
            vec![
                Op::Enter(0),
                Op::Run(1),
                Op::Enter(2),
                Op::Run(3),
                Op::Leave(2),
                Op::Leave(0),
                Op::Run(4),
                Op::Run(5)
            ]
        );
        assert_eq!(p.nodes[0].next, 6);
        assert_eq!(p.nodes[2].next, 5);
        assert_eq!(p.nodes[3].parent, Some(2));
        assert_eq!(p.nodes[2].parent, Some(0));
        assert_eq!(p.nodes[3].key, "step.0.steps.1.steps.0");
        // Two nodes named S1 get different streams.
        assert_ne!(p.nodes[1].draw_tags, p.nodes[3].draw_tags);
    }

    #[test]
    fn exit_codes_resolve_to_success_restart_and_wrapper() {
        let scenario = Scenario::from_toml(SCENARIO, "t.toml").unwrap();
        let p = Program::compile(&scenario);
        let Some(ProgramAction::Command { exit, .. }) = &p.nodes[1].action else { panic!() };
        let codes: Vec<(i64, bool, bool)> = exit.outcomes.iter().map(|o| (o.code, o.success, o.restart)).collect();
        assert_eq!(codes, vec![(0, true, false), (5, false, false), (3010, true, true)]);
        let Some(ProgramAction::Command { exit, .. }) = &p.nodes[4].action else { panic!() };
        let o = exit.outcomes[0];
        assert_eq!((o.reported, o.success, o.restart), (0, true, false));
        assert_eq!(o.set.map(|v| p.symbols.variable_name(v).to_owned()), Some("RebootRequired".to_owned()));
        let Some(ProgramAction::Command { exit, .. }) = &p.nodes[5].action else { panic!() };
        let o = exit.outcomes[0];
        assert_eq!((o.success, o.restart), (false, false), "3010 outside success_codes fails and does not restart");
    }
}
