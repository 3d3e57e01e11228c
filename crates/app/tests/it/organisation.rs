//! Importing the organisation and the span-of-control report, on both backends.

use app::organisation::import::{self, Format};
use app::organisation::model::SpanRow;
use app::organisation::store::{self, SpanFilter};
use app::platform::audit::{self, AuditEntry, AuditQuery};
use app::platform::db::Db;
use app::platform::permissions::{Reach, Subtree};
use app::platform::site;

use crate::db_test;
use crate::support::kolding_csv;

async fn import_kolding(db: &Db) -> (uuid::Uuid, app::organisation::model::ImportSummary) {
    let m = site::store::ensure(db, "Kolding").await.expect("municipality");
    let snapshot = import::read(Format::KoldingCsv, &kolding_csv()).expect("valid file");
    let summary = store::apply_snapshot(db, m.id, &snapshot, AuditEntry::system("organisation.import", "test"))
        .await
        .expect("import");
    (m.id, summary)
}

fn row<'a>(rows: &'a [SpanRow], leader: &str) -> &'a SpanRow {
    rows.iter().find(|r| r.leader_name == leader).unwrap_or_else(|| panic!("no row for {leader}"))
}

db_test!(kolding_import_counts_leaders_the_danish_way, |db| {
    let (m, summary) = import_kolding(&db).await;
    assert_eq!(summary.units_created, 62);
    assert_eq!(summary.managers_created, 54);
    let rows = store::span_rows(&db, m, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    assert_eq!(rows.len(), 54, "one row per leader");
    // The top leader: the leaders directly below (a unit without a manager passes its
    // staff up), never herself, and everyone in the municipality in total.
    let top = row(&rows, "Tracy Andersen");
    assert_eq!(rows[0], *top, "hierarchy order starts at the top");
    assert_eq!((top.level, top.direct_reports, top.leader_reports, top.total_reports), (1, 8, 8, 53));
    assert_eq!((top.hourly, top.salaried), (0, 8));
    let ester = row(&rows, "Ester Breer Truelsen");
    assert_eq!((ester.level, ester.direct_reports, ester.total_reports), (3, 1, 1));
    let benedikte = row(&rows, "Benedikte Kjær Hansen");
    assert_eq!(benedikte.direct_reports, 2, "Skoler og børnehaver and IT-Support");
    let william = row(&rows, "William Vinther");
    assert_eq!((william.level, william.direct_reports, william.total_reports), (4, 0, 0));
    // Staff of a unit without a manager (Sønder Stenderup børnehus) count for the
    // nearest leader above: Poul leads every institution leader and those sub-units.
    let poul = row(&rows, "Poul Vindum Andersen");
    assert_eq!((poul.direct_reports, poul.leader_reports, poul.total_reports), (27, 27, 36), "{poul:?}");
});

db_test!(importing_the_same_file_twice_changes_nothing, |db| {
    let (m, _) = import_kolding(&db).await;
    let before = store::span_rows(&db, m, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    let (_, again) = import_kolding(&db).await;
    assert!(!again.changed_anything(), "{again:?}");
    let after = store::span_rows(&db, m, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    assert_eq!(before, after);
    let events = audit::search(
        &db,
        m,
        &AuditQuery { action: Some("organisation.import".into()), limit: 10, ..Default::default() },
    )
    .await
    .expect("audit");
    assert_eq!(events.len(), 2, "each import is audited");
});

db_test!(a_changed_file_updates_and_a_missing_unit_is_closed, |db| {
    let (m, _) = import_kolding(&db).await;
    let text = std::fs::read_to_string(kolding_csv()).expect("read");
    // Rename one unit's manager and drop the canteen under Renovation.
    let changed: String = text
        .lines()
        .filter(|l| !l.contains("\"Renovation\";\"Kantine\""))
        .map(|l| l.replace("Svend Nielsen", "Svend Nielsen Bak"))
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("changed.csv");
    std::fs::write(&path, changed).expect("write");
    let snapshot = import::read(Format::KoldingCsv, &path).expect("valid");
    let summary = store::apply_snapshot(&db, m, &snapshot, AuditEntry::system("organisation.import", "test"))
        .await
        .expect("import");
    assert_eq!(summary.units_closed, 1);
    assert_eq!(summary.managers_closed, 1);
    assert_eq!(summary.people_updated, 1);
    let rows = store::span_rows(&db, m, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    assert_eq!(rows.len(), 53);
    assert!(rows.iter().all(|r| r.leader_name != "Vagn Halskov"));
    assert_eq!(row(&rows, "Svend Nielsen Bak").direct_reports, 0);
    // The closed unit is kept, not deleted.
    let kept: i64 = match &db {
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org_unit WHERE closed").fetch_one(p).await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM org_unit WHERE closed").fetch_one(p).await
        }
    }
    .expect("count");
    assert_eq!(kept, 1);
});

db_test!(samskab_csv_splits_hourly_and_salaried_and_handles_vacancies, |db| {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("units.csv"),
        "id,parent_id,name,type\nK,,Kommune,Kommune\nS,K,Skole,Institution\nS1,S,Indskoling,Team\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("people.csv"),
        "person_id,name,email,unit_id,job_title,pay_type,primary,manager\n\
         d,Dorte Direktør,d@k.dk,K,Direktør,salaried,ja,ja\n\
         s,Søren Skoleleder,s@k.dk,S,Skoleleder,salaried,ja,ja\n\
         a,Anna,a@k.dk,S,Lærer,salaried,ja,nej\n\
         b,Bo,b@k.dk,S1,Pædagog,hourly,ja,nej\n\
         c,Cem,c@k.dk,S1,Pædagog,timelønnet,ja,nej\n\
         c,Cem,c@k.dk,K,Rengøring,hourly,nej,nej\n",
    )
    .expect("write");
    let snapshot = import::read(Format::SamskabCsv, dir.path()).expect("valid");
    let m = site::store::ensure(&db, "K").await.expect("m");
    store::apply_snapshot(&db, m.id, &snapshot, AuditEntry::system("organisation.import", "test"))
        .await
        .expect("import");
    let rows = store::span_rows(&db, m.id, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].direct_reports, rows[0].total_reports, rows[0].leader_reports), (1, 4, 1));
    // The team has no manager post: its staff count for the school leader; Cem counts
    // once, by his primary engagement.
    assert_eq!((rows[1].direct_reports, rows[1].hourly, rows[1].salaried), (3, 2, 1));
});

db_test!(the_leader_scope_filters_report_rows, |db| {
    let (m, _) = import_kolding(&db).await;
    let all = store::span_rows(&db, m, &SpanFilter::within(Reach::Municipality)).await.expect("report");
    let units = store::units_at_depth(&db, m, 2).await.expect("units");
    let school = units.iter().find(|u| u.name == "Skole og Børn").expect("department");
    let filter =
        SpanFilter::within(Reach::Subtrees(vec![Subtree::led_from(school.tree_left, school.tree_right, school.depth)]));
    let scoped = store::span_rows(&db, m, &filter).await.expect("report");
    assert!(!scoped.is_empty() && scoped.len() < all.len());
    assert!(scoped.iter().all(|r| (2..=4).contains(&r.level)));
    assert!(scoped.iter().any(|r| r.leader_name == "Benedikte Kjær Hansen"));
    assert!(scoped.iter().all(|r| r.leader_name != "Tracy Andersen"));
    let over = store::span_rows(&db, m, &SpanFilter { over: Some(10), ..SpanFilter::within(Reach::Municipality) })
        .await
        .expect("report");
    assert!(over.iter().all(|r| r.direct_reports > 10) && !over.is_empty());
    let by_dept = store::span_rows(
        &db,
        m,
        &SpanFilter { department: Some(school.id), ..SpanFilter::within(Reach::Municipality) },
    )
    .await
    .expect("r");
    assert!(by_dept.iter().all(|r| r.level >= 2) && by_dept.len() > 10);
});

db_test!(the_demo_municipality_fills_an_empty_database_once, |db| {
    let m = site::store::ensure(&db, "Kommune").await.expect("m");
    assert!(app::organisation::demo::install(&db, m.id, 600, 3).await.expect("demo"));
    assert!(
        !app::organisation::demo::install(&db, m.id, 600, 3).await.expect("demo again"),
        "only on an empty database"
    );
    let (units, people, leaders) = store::totals(&db, m.id).await.expect("totals");
    assert!(units > 30 && leaders > 20, "{units} units, {leaders} leaders");
    assert!((550..=800).contains(&people), "{people} people");
    assert_eq!(site::store::current(&db).await.expect("m").map(|m| m.name).as_deref(), Some("Samby Kommune"));
});
