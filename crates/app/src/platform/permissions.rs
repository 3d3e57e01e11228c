//! Who may do what. A user holds grants — a role within a scope, allowing or denying —
//! and a check is allowed only if some grant allows it and no grant denies it (deny wins).
//! Every check is the pure function [`can`], so tests can run the whole role × action
//! matrix without a database.

/// The roles of the interface (DESIGN §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// HR og Udvikling: configures the municipality and sees everything but citizen data.
    Administrator,
    /// Direktion: reads the whole organisation and its reports.
    Executive,
    /// Leder: their own unit and the two levels below it.
    Leader,
    /// Facilitator / konsulent: runs processes, forms groups; reads the organisation.
    Facilitator,
    /// Medarbejder.
    Employee,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Administrator, Role::Executive, Role::Leader, Role::Facilitator, Role::Employee];

    pub fn key(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Executive => "executive",
            Role::Leader => "leader",
            Role::Facilitator => "facilitator",
            Role::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
}

/// A part of the organisation tree: the subtree `left..=right`, down to `max_depth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subtree {
    pub left: i64,
    pub right: i64,
    pub max_depth: i64,
}

impl Subtree {
    /// The subtree a leader of the unit at (left, right, depth) sees: the unit and two
    /// levels below it (Hjørring's rule).
    pub fn led_from(left: i64, right: i64, depth: i64) -> Subtree {
        Subtree { left, right, max_depth: depth + 2 }
    }

    /// (left, right, deepest level), the form the organisation's queries filter by.
    pub fn bounds(&self) -> (i64, i64, i64) {
        (self.left, self.right, self.max_depth)
    }

    fn contains(&self, left: i64, depth: i64) -> bool {
        (self.left..=self.right).contains(&left) && depth <= self.max_depth
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Municipality,
    Subtrees(Vec<Subtree>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
    pub effect: Effect,
}

/// The one acting: their grants, and whether the account is disabled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub grants: Vec<Grant>,
    pub disabled: bool,
}

/// A unit's place in the tree, for scoped checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitRef {
    pub left: i64,
    pub depth: i64,
}

/// Everything that is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the organisation overview and search people.
    BrowseOrganisation,
    /// See one unit, its leaders and staff: the phone book (names, job titles, units, work
    /// contact details).
    ViewUnit(UnitRef),
    /// See the employment details of the staff of a unit: pay type (hourly or salaried) and
    /// engagement kind. Data minimisation: only those who manage the unit, HR and the
    /// executive board, not every colleague.
    ViewEmploymentDetails(UnitRef),
    /// See the span-of-control report (scoped rows for leaders).
    ViewSpanReport,
    ExportSpanReport,
    /// Import or change the organisation.
    ManageOrganisation,
    /// Read and search the audit log.
    ViewAuditLog,
}

/// What one role says about one action, ignoring scope.
fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Administrator => true,
        Role::Executive => matches!(
            action,
            BrowseOrganisation | ViewUnit(_) | ViewEmploymentDetails(_) | ViewSpanReport | ExportSpanReport
        ),
        Role::Leader => matches!(
            action,
            BrowseOrganisation | ViewUnit(_) | ViewEmploymentDetails(_) | ViewSpanReport | ExportSpanReport
        ),
        Role::Facilitator => matches!(action, BrowseOrganisation | ViewUnit(_)),
        Role::Employee => matches!(action, BrowseOrganisation | ViewUnit(_)),
    }
}

/// Whether a grant's scope covers an action. Unit-bound actions need the unit inside the
/// scope; the others need only that the grant holds somewhere.
fn in_scope(role: Role, scope: &Scope, action: Action) -> bool {
    match (scope, action) {
        (Scope::Municipality, _) => true,
        (Scope::Subtrees(trees), Action::ViewUnit(unit) | Action::ViewEmploymentDetails(unit)) => {
            trees.iter().any(|t| t.contains(unit.left, unit.depth))
        }
        // A leader with nothing to lead sees no unit, so no report either.
        (Scope::Subtrees(trees), _) => !(role == Role::Leader && trees.is_empty()),
    }
}

/// Whether `actor` may do `action`: some grant allows it and none denies it.
pub fn can(actor: &Actor, action: Action) -> bool {
    if actor.disabled {
        return false;
    }
    let mut allowed = false;
    for grant in &actor.grants {
        if role_allows(grant.role, action) && in_scope(grant.role, &grant.scope, action) {
            match grant.effect {
                Effect::Deny => return false,
                Effect::Allow => allowed = true,
            }
        }
    }
    allowed
}

/// Whether the actor sees the whole municipality for `action` (no scoping of rows).
pub fn sees_everything(actor: &Actor, action: Action) -> bool {
    can(actor, action)
        && actor
            .grants
            .iter()
            .any(|g| g.effect == Effect::Allow && g.scope == Scope::Municipality && role_allows(g.role, action))
}

/// The subtrees an actor may see for `action`, when not everything.
pub fn visible_subtrees(actor: &Actor, action: Action) -> Vec<Subtree> {
    actor
        .grants
        .iter()
        .filter(|g| g.effect == Effect::Allow && role_allows(g.role, action))
        .filter_map(|g| match &g.scope {
            Scope::Subtrees(t) => Some(t.clone()),
            Scope::Municipality => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, scope: Scope) -> Actor {
        Actor { grants: vec![Grant { role, scope, effect: Effect::Allow }], disabled: false }
    }

    /// A leader of the unit at left 10..=40, depth 2, sees depth 2..4 within it.
    fn leader() -> Actor {
        actor(Role::Leader, Scope::Subtrees(vec![Subtree::led_from(10, 40, 2)]))
    }

    #[test]
    fn role_by_action_matrix() {
        use Action::*;
        let unit = UnitRef { left: 1, depth: 1 };
        let actions = [
            BrowseOrganisation,
            ViewUnit(unit),
            ViewEmploymentDetails(unit),
            ViewSpanReport,
            ExportSpanReport,
            ManageOrganisation,
            ViewAuditLog,
        ];
        let expected: [(Role, [bool; 7]); 4] = [
            (Role::Administrator, [true, true, true, true, true, true, true]),
            (Role::Executive, [true, true, true, true, true, false, false]),
            (Role::Facilitator, [true, true, false, false, false, false, false]),
            (Role::Employee, [true, true, false, false, false, false, false]),
        ];
        for (role, row) in expected {
            let a = actor(role, Scope::Municipality);
            for (action, want) in actions.iter().zip(row) {
                assert_eq!(can(&a, *action), want, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_leader_sees_two_levels_down_and_no_further() {
        let l = leader();
        let at = |left, depth| can(&l, Action::ViewUnit(UnitRef { left, depth }));
        assert!(at(10, 2), "own unit");
        assert!(at(11, 3), "one level down");
        assert!(at(12, 4), "two levels down");
        assert!(!at(13, 5), "three levels down");
        assert!(!at(5, 1), "the unit above");
        assert!(!at(41, 2), "a sibling unit");
        let pay = |left, depth| can(&l, Action::ViewEmploymentDetails(UnitRef { left, depth }));
        assert!(pay(10, 2) && pay(12, 4), "pay types in the leader's own part");
        assert!(!pay(41, 2) && !pay(13, 5), "not outside it");
        assert!(can(&l, Action::ViewSpanReport));
        assert!(!can(&l, Action::ViewAuditLog));
        assert!(!sees_everything(&l, Action::ViewSpanReport));
    }

    #[test]
    fn a_leader_without_units_sees_nothing() {
        let l = actor(Role::Leader, Scope::Subtrees(vec![]));
        assert!(!can(&l, Action::ViewSpanReport));
    }

    #[test]
    fn deny_wins() {
        let mut a = actor(Role::Administrator, Scope::Municipality);
        a.grants.push(Grant {
            role: Role::Employee,
            scope: Scope::Subtrees(vec![Subtree { left: 10, right: 20, max_depth: 99 }]),
            effect: Effect::Deny,
        });
        assert!(!can(&a, Action::ViewUnit(UnitRef { left: 15, depth: 3 })));
        assert!(can(&a, Action::ViewUnit(UnitRef { left: 25, depth: 3 })));
        assert!(can(&a, Action::ViewAuditLog), "the deny covers only what its role allows");
    }

    #[test]
    fn disabled_accounts_may_do_nothing() {
        let mut a = actor(Role::Administrator, Scope::Municipality);
        a.disabled = true;
        assert!(!can(&a, Action::BrowseOrganisation));
    }
}
