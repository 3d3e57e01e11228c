//! The role model of the programmes: the municipality's own list, starting from the roles
//! the seeds name (for employees ressourcedetektor, medbygger and oversætter; for leaders
//! udforsker, initiativdyrker, meningsskaber, netværkssmed and effektjæger), each described
//! in our own words. Modules' competence goals point to a role; participants rate themselves
//! on the roles of their audience at the start and the end, and the programme shows the
//! change per cohort only where at least [`RATING_MIN_GROUP`] people rated both times.

use super::model::{Audience, RATING_MIN_GROUP};

/// Key, name, description and audience of each default role.
pub const DEFAULT_ROLES: [(&str, &str, &str, Audience); 8] = [
    (
        "ressourcedetektor",
        "Ressourcedetektor",
        "Får øje på det, borgeren, kollegerne og lokalsamfundet allerede kan og har, og bringer det i spil.",
        Audience::Employee,
    ),
    (
        "medbygger",
        "Medbygger",
        "Bygger løsningen sammen med borgeren og kollegerne i stedet for at levere den færdig.",
        Audience::Employee,
    ),
    (
        "oversaetter",
        "Oversætter",
        "Oversætter mellem borgerens hverdag, fagligheden og kommunens mål, så alle forstår hinanden.",
        Audience::Employee,
    ),
    (
        "udforsker",
        "Udforsker",
        "Undersøger nysgerrigt, hvad der virker, og tør sætte spørgsmålstegn ved vante løsninger.",
        Audience::Leader,
    ),
    (
        "initiativdyrker",
        "Initiativdyrker",
        "Giver medarbejdernes idéer plads og næring og hjælper dem fra idé til afprøvning.",
        Audience::Leader,
    ),
    (
        "meningsskaber",
        "Meningsskaber",
        "Binder den store retning sammen med hverdagens opgaver, så arbejdet giver mening.",
        Audience::Leader,
    ),
    (
        "netvaerkssmed",
        "Netværkssmed",
        "Knytter forbindelser på tværs af enheder og sektorer og til borgere og foreninger.",
        Audience::Leader,
    ),
    (
        "effektjaeger",
        "Effektjæger",
        "Holder fast i, hvad indsatsen gør for borgeren, og følger op på effekten.",
        Audience::Leader,
    ),
];

/// The mean of a group's ratings, or None when fewer than [`RATING_MIN_GROUP`] people gave one.
pub fn shown_mean(scores: &[i32]) -> Option<f64> {
    (scores.len() >= RATING_MIN_GROUP).then(|| scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_needs_five_people() {
        assert_eq!(shown_mean(&[1, 2, 3, 4]), None);
        assert_eq!(shown_mean(&[1, 2, 3, 4, 5]), Some(3.0));
    }

    #[test]
    fn the_default_roles_have_unique_plain_keys() {
        let keys: std::collections::HashSet<&str> = DEFAULT_ROLES.iter().map(|r| r.0).collect();
        assert_eq!(keys.len(), DEFAULT_ROLES.len());
        assert!(keys.iter().all(|k| k.chars().all(|c| c.is_ascii_lowercase())));
        assert_eq!(DEFAULT_ROLES.iter().filter(|r| r.3 == Audience::Leader).count(), 5);
    }
}
