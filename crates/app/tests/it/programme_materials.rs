//! An activity's materials: files of the kinds a participant can open, at most 5 MB and 20
//! per activity, uploaded by those who run programmes, downloaded by everyone who may read.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::demo_app;

fn as_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

db_test!(materials_are_checked_kept_downloaded_and_removed, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Materialer", "template": "koege"})).await;
    let id = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let activity = as_json(&hr.get(&format!("/api/v1/programmes/{id}")).await.body)["activities"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/v1/activities/{activity}/materials");
    let octets = [("content-type", "application/octet-stream")];
    let pdf = b"%PDF-1.7\n% Dagsorden for samlingen\n".to_vec();

    for (name, bytes, why) in [
        ("virus.exe", b"MZ\x90\x00".to_vec(), "Den slags fil"),
        ("falsk.pdf", b"<html>".to_vec(), "Den slags fil"),
        ("tom.pdf", Vec::new(), "tom"),
        ("stor.pdf", [b"%PDF-".to_vec(), vec![b'x'; 5 * 1024 * 1024]].concat(), "for stor"),
    ] {
        let r = hr.send_bytes("POST", &format!("{url}?name={name}"), &octets, bytes).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert!(r.body.contains(why), "{name}: {}", r.body);
    }
    assert_eq!(as_json(&hr.get(&url).await.body).as_array().unwrap().len(), 0, "nothing kept");
    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_bytes("POST", &format!("{url}?name=mit.pdf"), &octets, pdf.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = hr.send_bytes("POST", &format!("{url}?name=Dagsorden%20samling%201.pdf"), &octets, pdf.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let material = as_json(&r.body);
    assert_eq!(material["name"], "Dagsorden samling 1.pdf");
    assert_eq!(material["content_type"], "application/pdf");
    let file = format!("/api/v1/materials/{}", material["id"].as_str().unwrap());
    let r = employee.get(&file).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes.to_vec(), pdf, "the same bytes back");
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("Dagsorden"), "{disposition}");

    // Twenty at most.
    for n in 2..=20 {
        let r = hr.send_bytes("POST", &format!("{url}?name=noter{n}.txt"), &octets, b"Noter".to_vec()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.body);
    }
    let r = hr.send_bytes("POST", &format!("{url}?name=en-for-meget.txt"), &octets, b"Noter".to_vec()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(employee.send_json("DELETE", &file, &json!({})).await.status, StatusCode::FORBIDDEN);
    let r = hr.send_json("DELETE", &file, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(hr.get(&file).await.status, StatusCode::NOT_FOUND);
    assert_eq!(as_json(&hr.get(&url).await.body).as_array().unwrap().len(), 19);

    // The page: a multipart upload, shown on the activity for everyone; the twenty-first refused.
    let mut page = app.login("facilitator").await;
    let activity_page = format!("/aktiviteter/{activity}");
    let upload = |token: String| {
        format!(
            "--X\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Læsestof.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 læsestof\r\n--X--\r\n"
        )
    };
    let multipart = [("content-type", "multipart/form-data; boundary=X")];
    let token = page.get(&activity_page).await.csrf();
    let r = page.send_raw("POST", &format!("{activity_page}/materialer"), &multipart, &upload(token)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let token = page.get(&activity_page).await.csrf();
    let r = page.send_raw("POST", &format!("{activity_page}/materialer"), &multipart, &upload(token)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "full: {}", r.body);
    assert!(r.body.contains("allerede 20 filer"), "{}", r.body);
    let first = as_json(&hr.get(&url).await.body)[0]["id"].as_str().unwrap().to_string();
    let r = page.post(&format!("/materialer/{first}/slet"), &activity_page, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(as_json(&hr.get(&url).await.body).as_array().unwrap().len(), 19);
    let r = app.login("medarbejder").await.get(&activity_page).await;
    assert!(r.body.contains("Læsestof.pdf") && !r.body.contains("enctype=\"multipart"), "listed, no upload form");
});

db_test!(with_a_files_folder_the_bytes_are_kept_there_and_removed_with_the_material, |db| {
    let folder = std::env::temp_dir().join(format!("samskab-materials-{}", uuid::Uuid::new_v4()));
    let config = app::Config { files_dir: Some(folder.clone()), ..Default::default() };
    let app = crate::support::demo_app_with(&db, 120, config).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Mappe", "template": "koege"})).await;
    let id = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let activity = as_json(&hr.get(&format!("/api/v1/programmes/{id}")).await.body)["activities"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/v1/activities/{activity}/materials");
    let octets = [("content-type", "application/octet-stream")];
    let text = "Hjemmeopgave: observér et møde.".as_bytes().to_vec();
    let r = hr.send_bytes("POST", &format!("{url}?name=opgave.txt"), &octets, text.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let material = as_json(&r.body)["id"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read(folder.join(&material)).expect("the file is in the folder"), text);
    let (_, stored) =
        app::programmes::store::materials::get(&app.state.db, app.state.municipality, material.parse().unwrap())
            .await
            .unwrap()
            .expect("the row");
    let in_folder = matches!(stored, app::programmes::store::materials::Stored::Folder);
    assert!(in_folder, "the row holds no bytes");
    let file = format!("/api/v1/materials/{material}");
    let r = app.api_client("medarbejder").await.get(&file).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes.to_vec(), text, "read back from the folder");
    // A refused upload leaves no file behind.
    let r = hr.send_bytes("POST", &format!("{url}?name=falsk.pdf"), &octets, b"<html>".to_vec()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "only the one file");
    let r = hr.send_json("DELETE", &file, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!folder.join(&material).exists(), "removed with its material");
    std::fs::remove_dir_all(&folder).unwrap();
});
