//! Who may do what. A user holds grants — a role within a scope, allowing or denying —
//! and a check is allowed only if some grant allows it and no grant denies it (deny wins).
//!
//! The platform knows no module's actions: each module declares its own as
//! [`ActionDef`] constants (a key and the roles that may do it) and lists them in its
//! `Module`. A check is the pure function [`can`], so tests can run the whole role × action
//! matrix without a database. Handlers get their proof of permission from
//! [`crate::platform::web::Permit`], and scoped finders take a [`Reach`], which only says
//! "the whole municipality" when a grant says so.

use uuid::Uuid;

/// The roles of the interface (DESIGN §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// HR og Udvikling: configures the municipality and sees everything but citizen data.
    Administrator,
    /// Direktion: reads the whole organisation and its reports.
    Executive,
    /// Leder: their own unit and the two levels below it.
    Leader,
    /// Facilitator / konsulent: runs processes, forms groups; reads the organisation. With
    /// an object scope: the facilitator of one process, programme or course.
    Facilitator,
    /// Medarbejder. With an object scope: a member of one learning group or course.
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

/// Every role: for actions anyone signed in may do.
pub const EVERYONE: &[Role] = &Role::ALL;

/// One thing that is checked, declared by the module that owns it: a stable key (also
/// the audit log's and the route matrix's name for it) and the roles that may do it.
#[derive(Debug, PartialEq, Eq)]
pub struct ActionDef {
    pub key: &'static str,
    pub roles: &'static [Role],
}

impl ActionDef {
    /// The action where no single unit or object is concerned (a list, a report).
    pub const fn anywhere(&'static self) -> Action {
        Action { def: self, target: Target::Anywhere }
    }

    /// The action on one unit of the organisation.
    pub const fn on_unit(&'static self, unit: UnitRef) -> Action {
        Action { def: self, target: Target::Unit(unit) }
    }

    /// The action on one object (a process, a programme, a learning group, a course).
    pub const fn on_object(&'static self, object: ObjectRef) -> Action {
        Action { def: self, target: Target::Object(object) }
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

    /// The whole subtree below a unit, every level.
    pub fn whole(left: i64, right: i64) -> Subtree {
        Subtree { left, right, max_depth: i64::MAX }
    }

    /// (left, right, deepest level), the form the organisation's queries filter by.
    pub fn bounds(&self) -> (i64, i64, i64) {
        (self.left, self.right, self.max_depth)
    }

    pub fn contains(&self, left: i64, depth: i64) -> bool {
        (self.left..=self.right).contains(&left) && depth <= self.max_depth
    }
}

/// A kind of object a grant can be scoped to, named by the module that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKind(pub &'static str);

/// The one `&'static str` for a kind read from the database. Kinds are few (one per
/// module that grants on objects), so each is leaked once.
pub fn intern_kind(kind: &str) -> &'static str {
    static KINDS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut kinds) = KINDS.lock() else { return "unknown" };
    if let Some(k) = kinds.iter().find(|k| **k == kind) {
        return k;
    }
    let leaked: &'static str = Box::leak(kind.to_string().into_boxed_str());
    kinds.push(leaked);
    leaked
}

/// One object: "facilitator of this process", "member of this learning group".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: Uuid,
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Municipality,
    Subtrees(Vec<Subtree>),
    Object(ObjectRef),
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

/// The grants of the one acting, and whether the account is disabled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub grants: Vec<Grant>,
    pub disabled: bool,
}

/// A unit's place in the tree, for scoped checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitRef {
    pub left: i64,
    pub depth: i64,
}

/// What an action is done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Anywhere,
    Unit(UnitRef),
    Object(ObjectRef),
}

/// One check: an action on a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub def: &'static ActionDef,
    pub target: Target,
}

/// Whether a grant's scope covers a target. A unit needs to lie inside the scope; an
/// object needs a grant on that very object (or the municipality); an action anywhere needs
/// the grant to hold somewhere in the organisation — a grant on one object gives nothing
/// beyond that object.
fn in_scope(role: Role, scope: &Scope, target: Target) -> bool {
    match (scope, target) {
        // Every employee holds their role on the whole municipality; that makes them an
        // employee, not a member of every learning group (membership is a grant on the group).
        (Scope::Municipality, Target::Object(_)) => role != Role::Employee,
        (Scope::Municipality, _) => true,
        (Scope::Subtrees(trees), Target::Unit(unit)) => trees.iter().any(|t| t.contains(unit.left, unit.depth)),
        // A leader with nothing to lead sees no unit, so no report either.
        (Scope::Subtrees(trees), Target::Anywhere) => !(role == Role::Leader && trees.is_empty()),
        (Scope::Subtrees(_), Target::Object(_)) => false,
        (Scope::Object(granted), Target::Object(target)) => *granted == target,
        (Scope::Object(_), _) => false,
    }
}

/// Whether `who` may do `action`: some grant allows it and none denies it.
pub fn can(who: &Grants, action: Action) -> bool {
    if who.disabled {
        return false;
    }
    let mut allowed = false;
    for grant in &who.grants {
        if action.def.roles.contains(&grant.role) && in_scope(grant.role, &grant.scope, action.target) {
            match grant.effect {
                Effect::Deny => return false,
                Effect::Allow => allowed = true,
            }
        }
    }
    allowed
}

/// Which rows of the organisation a finder may return for one action. Made from the
/// grants ([`reach`]); there is no "everything" by leaving it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every unit of the municipality (an allowing grant on the whole municipality).
    Municipality,
    /// Only these subtrees (possibly none).
    Subtrees(Vec<Subtree>),
}

impl Reach {
    pub fn covers(&self, left: i64, depth: i64) -> bool {
        match self {
            Reach::Municipality => true,
            Reach::Subtrees(trees) => trees.iter().any(|t| t.contains(left, depth)),
        }
    }

    pub fn is_everything(&self) -> bool {
        matches!(self, Reach::Municipality)
    }
}

/// How far in the organisation `who` may do `def`: the whole municipality when an allowing
/// grant on it covers the action, else the subtrees of the allowing grants. Nothing for a
/// disabled account or one with no allowing grant.
pub fn reach(who: &Grants, def: &'static ActionDef) -> Reach {
    if !can(who, def.anywhere()) {
        return Reach::Subtrees(Vec::new());
    }
    let allowing = who.grants.iter().filter(|g| g.effect == Effect::Allow && def.roles.contains(&g.role));
    let mut trees = Vec::new();
    for g in allowing {
        match &g.scope {
            Scope::Municipality => return Reach::Municipality,
            Scope::Subtrees(t) => trees.extend(t.iter().copied()),
            Scope::Object(_) => {}
        }
    }
    Reach::Subtrees(trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    static READ: ActionDef = ActionDef { key: "test.read", roles: EVERYONE };
    static REPORT: ActionDef =
        ActionDef { key: "test.report", roles: &[Role::Administrator, Role::Executive, Role::Leader] };
    static ADMIN: ActionDef = ActionDef { key: "test.admin", roles: &[Role::Administrator] };
    static FACILITATE: ActionDef =
        ActionDef { key: "test.facilitate", roles: &[Role::Administrator, Role::Facilitator] };
    const PROCESS: ObjectKind = ObjectKind("process");

    fn grants(role: Role, scope: Scope) -> Grants {
        Grants { grants: vec![Grant { role, scope, effect: Effect::Allow }], disabled: false }
    }

    /// A leader of the unit at left 10..=40, depth 2, sees depth 2..4 within it.
    fn leader() -> Grants {
        grants(Role::Leader, Scope::Subtrees(vec![Subtree::led_from(10, 40, 2)]))
    }

    #[test]
    fn roles_come_from_the_action() {
        let unit = UnitRef { left: 1, depth: 1 };
        for role in Role::ALL {
            let g = grants(role, Scope::Municipality);
            assert!(can(&g, READ.anywhere()) && can(&g, READ.on_unit(unit)), "{role:?}");
            assert_eq!(can(&g, REPORT.anywhere()), REPORT.roles.contains(&role), "{role:?}");
            assert_eq!(can(&g, ADMIN.anywhere()), role == Role::Administrator, "{role:?}");
        }
    }

    #[test]
    fn a_leader_sees_two_levels_down_and_no_further() {
        let l = leader();
        let at = |left, depth| can(&l, READ.on_unit(UnitRef { left, depth }));
        assert!(at(10, 2), "own unit");
        assert!(at(11, 3), "one level down");
        assert!(at(12, 4), "two levels down");
        assert!(!at(13, 5), "three levels down");
        assert!(!at(5, 1), "the unit above");
        assert!(!at(41, 2), "a sibling unit");
        assert!(can(&l, REPORT.anywhere()));
        assert!(!can(&l, ADMIN.anywhere()));
        assert_eq!(reach(&l, &REPORT), Reach::Subtrees(vec![Subtree::led_from(10, 40, 2)]));
    }

    #[test]
    fn a_leader_without_units_sees_nothing() {
        let l = grants(Role::Leader, Scope::Subtrees(vec![]));
        assert!(!can(&l, REPORT.anywhere()));
        assert_eq!(reach(&l, &REPORT), Reach::Subtrees(vec![]));
    }

    #[test]
    fn reach_is_the_municipality_only_when_a_grant_says_so() {
        assert_eq!(reach(&grants(Role::Executive, Scope::Municipality), &REPORT), Reach::Municipality);
        assert_eq!(reach(&grants(Role::Employee, Scope::Municipality), &REPORT), Reach::Subtrees(vec![]));
        let mut disabled = grants(Role::Administrator, Scope::Municipality);
        disabled.disabled = true;
        assert_eq!(reach(&disabled, &READ), Reach::Subtrees(vec![]));
    }

    #[test]
    fn an_object_grant_covers_that_object_and_nothing_else() {
        let mine = ObjectRef { kind: PROCESS, id: Uuid::from_u128(1) };
        let other = ObjectRef { kind: PROCESS, id: Uuid::from_u128(2) };
        let programme = ObjectRef { kind: ObjectKind("programme"), id: Uuid::from_u128(1) };
        let f = grants(Role::Facilitator, Scope::Object(mine));
        assert!(can(&f, FACILITATE.on_object(mine)));
        assert!(!can(&f, FACILITATE.on_object(other)), "another process");
        assert!(!can(&f, FACILITATE.on_object(programme)), "same id, other kind");
        assert!(!can(&f, FACILITATE.anywhere()), "nothing beyond the object");
        assert!(!can(&f, READ.on_unit(UnitRef { left: 1, depth: 1 })));
        assert_eq!(reach(&f, &READ), Reach::Subtrees(vec![]));
        let admin = grants(Role::Administrator, Scope::Municipality);
        assert!(can(&admin, FACILITATE.on_object(other)), "a municipality grant covers every object");
        let employee = grants(Role::Employee, Scope::Object(mine));
        assert!(!can(&employee, FACILITATE.on_object(mine)), "the role must still allow the action");
        static MEMBER: ActionDef = ActionDef { key: "t.member", roles: &[Role::Employee, Role::Facilitator] };
        let group = ObjectRef { kind: ObjectKind("learning_group"), id: Uuid::from_u128(3) };
        assert!(can(&grants(Role::Employee, Scope::Object(group)), MEMBER.on_object(group)), "a member");
        assert!(
            !can(&grants(Role::Employee, Scope::Municipality), MEMBER.on_object(group)),
            "an employee of the municipality is not a member of every group"
        );
        assert!(can(&grants(Role::Facilitator, Scope::Municipality), MEMBER.on_object(group)));
    }

    #[test]
    fn deny_wins() {
        let mut a = grants(Role::Administrator, Scope::Municipality);
        a.grants.push(Grant {
            role: Role::Employee,
            scope: Scope::Subtrees(vec![Subtree { left: 10, right: 20, max_depth: 99 }]),
            effect: Effect::Deny,
        });
        assert!(!can(&a, READ.on_unit(UnitRef { left: 15, depth: 3 })));
        assert!(can(&a, READ.on_unit(UnitRef { left: 25, depth: 3 })));
        assert!(can(&a, ADMIN.anywhere()), "the deny covers only what its role allows");
    }

    #[test]
    fn disabled_accounts_may_do_nothing() {
        let mut a = grants(Role::Administrator, Scope::Municipality);
        a.disabled = true;
        assert!(!can(&a, READ.anywhere()));
    }
}
