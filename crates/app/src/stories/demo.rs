//! About sixty stories of Samby Kommune, written for the demo in our own words: what
//! employees tried in their everyday work, and what came of it.

use uuid::Uuid;

use super::model::{StoryInput, StoryState, Visibility};
use super::store;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

const F: &str = "fritid-faellesskab";
const L: &str = "laering";
const B: &str = "beskaeftigelse";
const S: &str = "social-omsorg";

/// (title, text, core tasks, tags, author, public)
type DemoStory = (&'static str, &'static str, &'static [&'static str], &'static [&'static str], &'static str, bool);

pub const STORIES: &[DemoStory] = &[
    (
        "Fællesspisning i opgangen",
        "Beboerne i en af vores almene boliger spiste alene. Vi lånte fælleslokalet og inviterede til suppe hver torsdag.\n\nEfter tre måneder kommer der tyve hver gang, og to af dem har selv overtaget madlavningen.",
        &[F, S],
        &["ensomhed", "frivillige", "fællesskab"],
        "Karin, boligsocial medarbejder",
        true,
    ),
    (
        "Idrætsforeningen åbnede hallen om aftenen",
        "Unge hang ud ved stationen om aftenen. Sammen med foreningen holdt vi hallen åben fredag aften med en voksen fra klubben og en fra foreningen.\n\nBetjentene på stationen har siden sagt, at det er blevet roligere.",
        &[F, L],
        &["unge", "foreninger", "tryghed"],
        "Jonas, klubmedarbejder",
        true,
    ),
    (
        "Biblioteket som mødested for nye borgere",
        "Nye tilflyttere fandt ikke vej til foreningerne. Vi holdt en foreningsaften på biblioteket, hvor foreningerne selv fortalte.\n\n- 14 foreninger deltog\n- 60 nye borgere kom\n- flere meldte sig ind samme aften",
        &[F],
        &["tilflyttere", "foreninger", "bibliotek"],
        "Sofie, bibliotekar",
        true,
    ),
    (
        "Gåture i stedet for møder",
        "Vores team flyttede de ugentlige en-til-en-samtaler ud på en gåtur rundt om søen. Samtalerne blev mere åbne, og flere fik rørt sig i arbejdstiden.",
        &[F],
        &["trivsel", "møder", "sundhed"],
        "Peter, afdelingsleder",
        false,
    ),
    (
        "Seniorer lærer børn at fiske",
        "Tre pensionister fra lystfiskerforeningen tager hver onsdag en flok skolebørn med til åen. Børnene lærer om naturen, og de ældre får et fællesskab, de savnede.",
        &[F, L],
        &["frivillige", "natur", "generationer"],
        "Hanne, fritidskonsulent",
        true,
    ),
    (
        "Legepladsen blev tegnet af børnene",
        "Da legepladsen skulle fornyes, bad vi børnene i 3. klasse om at tegne deres drømmelegeplads. Landskabsarkitekten brugte tegningerne, og børnene var med til indvielsen.",
        &[F, L],
        &["inddragelse", "børn", "byrum"],
        "Mads, projektleder",
        true,
    ),
    (
        "Fælles kalender for hele byens foreninger",
        "Foreningerne planlagde ofte arrangementer samme aften. En fælles kalender på kommunens hjemmeside, som foreningerne selv opdaterer, har gjort det lettere at samarbejde.",
        &[F],
        &["foreninger", "samarbejde", "digitalisering"],
        "Lise, kulturkoordinator",
        true,
    ),
    (
        "Strikkecafé på plejecentret",
        "Pårørende og naboer strikker sammen med beboerne hver tirsdag. Det startede med to deltagere; nu er det fast, og beboerne glæder sig hele ugen.",
        &[F, S],
        &["pårørende", "ældre", "fællesskab"],
        "Birgitte, aktivitetsmedarbejder",
        true,
    ),
    (
        "Ferieaktiviteter, der var gratis for alle",
        "Vi samlede sommerens tilbud i ét katalog og gjorde dem gratis for børn i familier med lav indkomst uden at de skulle søge. Deltagelsen blandt de børn steg markant.",
        &[F, S],
        &["børn", "ulighed", "sommer"],
        "Anders, fritidskonsulent",
        true,
    ),
    (
        "Naboskab i det nye boligområde",
        "Et nyt boligområde havde ingen fælles steder. Vi hjalp beboerne med at stifte en grundejerforening og lånte dem en container til redskaber. Nu holder de fælles arbejdsdage.",
        &[F],
        &["byudvikling", "naboskab"],
        "Rikke, planlægger",
        false,
    ),
    (
        "Musikskolen rykkede ud på skolerne",
        "I stedet for at børnene skulle køre til musikskolen, underviser musikskolen nu i skolernes lokaler lige efter skoletid. Flere børn fra landsbyerne går til musik.",
        &[F, L],
        &["musik", "landsbyer", "børn"],
        "Thomas, musikskoleleder",
        true,
    ),
    (
        "Lån en cykel til sommerjobbet",
        "Unge uden bil kunne ikke nå sommerjobbet på landet. Genbrugspladsens cykler blev sat i stand af en værkstedsklasse og lånt ud hele sommeren.",
        &[F, B],
        &["unge", "transport", "genbrug"],
        "Ole, værkstedslærer",
        true,
    ),
    (
        "Fredagsbar for alle medarbejdere på rådhuset",
        "Vi prøvede en fredagsbar én gang om måneden på tværs af afdelingerne. Flere siger, at de nu ved, hvem de skal ringe til, når en sag går på tværs.",
        &[F],
        &["samarbejde", "kultur"],
        "Marie, HR-konsulent",
        false,
    ),
    (
        "Vandretur med forældre og pædagoger",
        "Dagplejen inviterede forældrene på en vandretur en lørdag. Det blev lettere at tale sammen i hverdagen, når man havde gået en tur sammen.",
        &[F, L],
        &["forældre", "dagpleje"],
        "Dorthe, dagplejepædagog",
        true,
    ),
    (
        "Frivilligcentret fik en fast plads i borgerservice",
        "En frivillig fra frivilligcentret sidder i borgerservice hver mandag. Borgere, der mangler noget at tage sig til, bliver hjulpet videre på stedet.",
        &[F, S],
        &["frivillige", "borgerservice"],
        "Jens, frivilligkoordinator",
        true,
    ),
    (
        "Læsemakkere på tværs af årgange",
        "Elever fra 6. klasse læser med elever fra 1. klasse to gange om ugen. De små læser mere, og de store tager ansvar og bliver selv bedre til at læse højt.",
        &[L],
        &["læsning", "skole", "makkere"],
        "Camilla, lærer",
        true,
    ),
    (
        "Kompetencebevis for pædagogmedhjælpere",
        "Vores pædagogmedhjælpere tog et forløb på seks moduler med opgaver mellem gangene. Alle afsluttede, og tre er siden gået i gang med pædagoguddannelsen.",
        &[L],
        &["kompetenceudvikling", "dagtilbud"],
        "Susanne, dagtilbudsleder",
        false,
    ),
    (
        "Lærende fællesskaber blandt lederne",
        "Ledere fra forskellige forvaltninger mødes i grupper på fem hver måned og arbejder med hver sin udfordring. Ingen giver råd, før alle har stillet spørgsmål.",
        &[L],
        &["ledelse", "aktionslæring", "netværk"],
        "Henrik, udviklingskonsulent",
        false,
    ),
    (
        "Udeskole hver torsdag",
        "3. årgang har matematik og natur/teknologi i skoven hver torsdag. Eleverne måler træer, regner med kogler og husker mere af det, de lærer.",
        &[L, F],
        &["udeskole", "natur", "matematik"],
        "Line, lærer",
        true,
    ),
    (
        "Sprogkuffert til dagplejen",
        "Vi lavede en kuffert med bøger, billeder og små ting, der skifter mellem dagplejerne hver måned. Børnene taler mere, og forældrene låner bøgerne med hjem.",
        &[L],
        &["sprog", "dagpleje", "børn"],
        "Pia, sprogvejleder",
        true,
    ),
    (
        "Elevrådet var med i budgettet",
        "Elevrådet fik et beløb og ansvaret for at bruge det på skolegården. De lavede en afstemning blandt alle elever og fremlagde regnskabet for skolebestyrelsen.",
        &[L, F],
        &["elevdemokrati", "inddragelse"],
        "Morten, skoleleder",
        true,
    ),
    (
        "Sidemandsoplæring i hjemmeplejen",
        "Nye medarbejdere går de første to uger med en erfaren kollega, der har fået tid til det. Færre stopper i de første måneder.",
        &[L, S],
        &["introduktion", "hjemmepleje", "fastholdelse"],
        "Gitte, teamleder",
        false,
    ),
    (
        "Lektiecafé på biblioteket",
        "Frivillige studerende hjælper med lektier to eftermiddage om ugen. Mange af de elever, der kommer, har ingen derhjemme, der kan hjælpe.",
        &[L, F],
        &["lektier", "frivillige", "bibliotek"],
        "Emil, bibliotekar",
        true,
    ),
    (
        "Forældremøder med madpakker",
        "Vi ændrede forældremøderne til en spisning med medbragt mad og korte oplæg. Fremmødet steg, og forældrene lærte hinanden at kende.",
        &[L],
        &["forældre", "skole"],
        "Anne, lærer",
        true,
    ),
    (
        "Praktik på rådhuset for 8. klasse",
        "Alle elever i 8. klasse kan komme i en uges praktik i en af kommunens afdelinger. Flere har fået øjnene op for jobs, de ikke kendte.",
        &[L, B],
        &["praktik", "uddannelsesvalg"],
        "Kasper, UU-vejleder",
        true,
    ),
    (
        "Fælles sprog om trivsel i klasserne",
        "Lærere og pædagoger brugte det samme korte spørgeskema og de samme ord om trivsel i alle klasser. Samtalerne med forældrene blev mere konkrete.",
        &[L, S],
        &["trivsel", "skole", "data"],
        "Helle, AKT-lærer",
        false,
    ),
    (
        "Digital hjælp til ældre på biblioteket",
        "Unge fra ungdomsskolen hjælper ældre med MitID og e-Boks. De ældre får hjælp, og de unge lærer at forklare tålmodigt.",
        &[L, F],
        &["digitalisering", "ældre", "unge"],
        "Bo, ungdomsskoleleder",
        true,
    ),
    (
        "Feedback mellem kolleger i sagsbehandlingen",
        "Vi læser hinandens afgørelser parvis hver måned med tre faste spørgsmål. Færre afgørelser bliver ændret i klagesager.",
        &[L],
        &["kvalitet", "sagsbehandling", "feedback"],
        "Ida, faglig koordinator",
        false,
    ),
    (
        "Naturvejleder i børnehaven",
        "Naturvejlederen besøger børnehaverne og lærer pædagogerne at bruge nærområdet. Nu går grupperne ud, også når naturvejlederen ikke er der.",
        &[L, F],
        &["natur", "børnehave"],
        "Rasmus, naturvejleder",
        true,
    ),
    (
        "Læringsmål skrevet sammen med eleverne",
        "I 9. klasse formulerer eleverne selv to mål for hvert forløb. De ved bedre, hvad de skal arbejde med, og samtalerne med lærerne er blevet skarpere.",
        &[L],
        &["skole", "læringsmål"],
        "Nanna, lærer",
        true,
    ),
    (
        "Virksomhedspraktik med fast kontaktperson",
        "Borgere i praktik får én fast kontaktperson på jobcentret og én i virksomheden, som taler sammen hver uge. Flere praktikker ender i ansættelse.",
        &[B],
        &["praktik", "virksomheder", "jobcenter"],
        "Lars, virksomhedskonsulent",
        true,
    ),
    (
        "Jobcafé med lokale arbejdsgivere",
        "Hver måned inviterer vi tre lokale virksomheder til at fortælle om deres job over en kop kaffe. Ledige møder arbejdsgivere uden en ansøgning først.",
        &[B],
        &["rekruttering", "virksomheder"],
        "Tina, jobkonsulent",
        true,
    ),
    (
        "Seniorjob i naturplejen",
        "Ledige over 60 plejer kommunens naturarealer sammen med en faglært gartner. Arbejdet er meningsfuldt, og flere siger, at de har fået en hverdag igen.",
        &[B, F],
        &["seniorer", "natur"],
        "Erik, gartner",
        true,
    ),
    (
        "Kortere vej fra sygemelding til job",
        "Vi holder det første møde med den sygemeldte inden for en uge og inviterer arbejdspladsen med. Flere vender gradvist tilbage i stedet for at blive opsagt.",
        &[B, S],
        &["sygefravær", "fastholdelse"],
        "Maja, sygedagpengekonsulent",
        false,
    ),
    (
        "Mentorer fra erhvervslivet til unge ledige",
        "Pensionerede ledere er mentorer for unge uden uddannelse. De mødes en gang om ugen, og mentoren hjælper med netværk og ansøgninger.",
        &[B, L],
        &["unge", "mentor", "frivillige"],
        "Frederik, ungekonsulent",
        true,
    ),
    (
        "Sprogpraktik i kantinen",
        "Nyankomne flygtninge arbejder i rådhusets kantine med dansk undervisning i arbejdstiden. Sproget bliver hurtigere brugbart, når man taler om det, man laver.",
        &[B, L],
        &["integration", "sprog"],
        "Amira, integrationskonsulent",
        true,
    ),
    (
        "Rekruttering af sosu-assistenter sammen med skolen",
        "Vi holder åbent hus på plejecentrene sammen med social- og sundhedsskolen. Eleverne møder kommende kolleger, og flere søger job hos os efter endt uddannelse.",
        &[B, S],
        &["rekruttering", "sosu", "uddannelse"],
        "Jette, uddannelseskoordinator",
        false,
    ),
    (
        "Fleksjob i børnehaven",
        "En pædagog i fleksjob står for morgenåbningen tre dage om ugen. Det passer til hendes skånehensyn, og børnehaven har fået en stabil voksen om morgenen.",
        &[B, L],
        &["fleksjob", "dagtilbud"],
        "Kirsten, børnehaveleder",
        false,
    ),
    (
        "Fælles indgang for virksomheder",
        "Virksomheder ringede til mange forskellige i kommunen. Nu har de ét telefonnummer og én kontaktperson, der finder den rette kollega.",
        &[B],
        &["erhvervsservice", "samarbejde"],
        "Niels, erhvervskonsulent",
        true,
    ),
    (
        "Opkvalificering i arbejdstiden",
        "Ufaglærte i rengøringen tog et AMU-kursus i arbejdstiden, og vi dækkede vagterne. Tre er siden blevet faglærte.",
        &[B, L],
        &["kompetenceudvikling", "ufaglærte"],
        "Bente, driftsleder",
        false,
    ),
    (
        "Job tæt på hjemmet i landsbyerne",
        "Vi kortlagde arbejdspladser inden for 15 minutters cykeltur fra landsbyerne. Flere ledige uden bil har fået job, de ikke vidste fandtes.",
        &[B],
        &["landsbyer", "transport"],
        "Simon, jobkonsulent",
        true,
    ),
    (
        "Ansættelsessamtaler uden ansøgning",
        "Til ufaglærte stillinger i hjemmeplejen holder vi samtaler uden skriftlig ansøgning. Vi møder flere dygtige ansøgere, som ellers ikke havde søgt.",
        &[B, S],
        &["rekruttering", "hjemmepleje"],
        "Lone, områdeleder",
        false,
    ),
    (
        "Unge hjælper i naturparken om sommeren",
        "Unge, der ikke har fundet et sommerjob, kan arbejde i naturparken fire uger. Mange får deres første anbefaling med derfra.",
        &[B, F],
        &["unge", "sommerjob"],
        "Jakob, naturparkleder",
        true,
    ),
    (
        "Tolv ugers forløb før uddannelsesstart",
        "Unge, der er usikre på at starte på en uddannelse, følger et forløb på skolen med en fast voksen. Frafaldet det første halve år er faldet.",
        &[B, L],
        &["uddannelse", "unge", "frafald"],
        "Julie, vejleder",
        true,
    ),
    (
        "Erfaringsudveksling mellem jobcentre",
        "Vi har et netværk med tre nabokommuner, hvor konsulenter besøger hinanden. Gode værktøjer bliver delt i stedet for opfundet fire gange.",
        &[B, L],
        &["netværk", "jobcenter"],
        "Mette, teamleder",
        false,
    ),
    (
        "Faste teams i hjemmeplejen",
        "Borgerne fik besøg af op til femten forskellige om måneden. Med faste teams på fem er det færre nye ansigter, og medarbejderne kender borgerne bedre.",
        &[S],
        &["hjemmepleje", "kontinuitet"],
        "Annette, sygeplejerske",
        true,
    ),
    (
        "Pårørendesamtale ved indflytning",
        "Når en borger flytter ind på plejecentret, holder vi en samtale med de pårørende om livshistorie og vaner. Det er lettere at skabe en god hverdag fra starten.",
        &[S],
        &["pårørende", "plejecenter", "ældre"],
        "Grethe, plejecenterleder",
        true,
    ),
    (
        "Tidlig indsats i familier med små børn",
        "Sundhedsplejersken og en familierådgiver besøger sammen familier, hvor der er bekymring. Familierne får hjælp tidligere og uden en lang sag.",
        &[S, L],
        &["familier", "forebyggelse", "sundhedspleje"],
        "Trine, sundhedsplejerske",
        false,
    ),
    (
        "Rehabilitering før hjælp",
        "Før vi bevilger hjælp til rengøring, træner terapeuten med borgeren i fire uger. Mange klarer selv mere bagefter, og de er glade for det.",
        &[S],
        &["rehabilitering", "ældre", "hverdagsliv"],
        "Kim, ergoterapeut",
        true,
    ),
    (
        "Natsygeplejerske på telefonen",
        "Hjemmeplejens natpersonale kan ringe til en sygeplejerske, der kender borgerne. Færre borgere bliver indlagt om natten.",
        &[S],
        &["sygepleje", "indlæggelser"],
        "Vibeke, sygeplejerske",
        false,
    ),
    (
        "Værested drevet af brugerne selv",
        "Brugerne af værestedet har fået ansvar for åbningstider og aktiviteter. Medarbejderne støtter, og flere kommer, fordi stedet føles som deres eget.",
        &[S, F],
        &["psykiatri", "brugerinddragelse"],
        "Søren, socialpædagog",
        true,
    ),
    (
        "Mindre papir, mere tid hos borgeren",
        "Vi gennemgik alle skemaer i bostøtten og fjernede dem, ingen brugte. Hver medarbejder fik omkring en time mere om ugen sammen med borgerne.",
        &[S],
        &["forklar eller fjern", "regler", "tid"],
        "Louise, bostøttekoordinator",
        false,
    ),
    (
        "Sorggruppe for børn",
        "Sundhedsplejen og skolen har startet en gruppe for børn, der har mistet en forælder. Børnene mødes otte gange med en psykolog og en lærer.",
        &[S, L],
        &["sorg", "børn"],
        "Ulla, skolesundhedsplejerske",
        true,
    ),
    (
        "Velfærdsteknologi valgt af medarbejderne",
        "Medarbejderne testede tre slags loftlifte i en måned og valgte selv. Liften bliver brugt, og der er færre løfteskader.",
        &[S],
        &["velfærdsteknologi", "arbejdsmiljø"],
        "Claus, arbejdsmiljørepræsentant",
        false,
    ),
    (
        "Én plan for borgeren på tværs",
        "Borgere med mange indsatser havde mange planer. Nu holder vi et fælles møde og laver én plan, som borgeren selv har med til alle møder.",
        &[S, B],
        &["helhed", "sammenhæng"],
        "Nadia, socialrådgiver",
        true,
    ),
    (
        "Demensvenlig by",
        "Butikker i midtbyen fik et kort kursus i at møde mennesker med demens. Flere borgere med demens kan handle selv længere.",
        &[S, F],
        &["demens", "byen", "handlende"],
        "Inge, demenskoordinator",
        true,
    ),
    (
        "Borgerne vurderer selv deres forløb",
        "Efter hvert genoptræningsforløb svarer borgerne på fem spørgsmål på en skala fra 0 til 10. Vi ser svarene hver måned i teamet og ændrer det, der halter.",
        &[S, L],
        &["feedback", "genoptræning", "måling"],
        "Mikkel, fysioterapeut",
        false,
    ),
    (
        "Fællesskab for unge med angst",
        "Unge med angst mødes i en lille gruppe på biblioteket med en psykolog og spiller brætspil. Det er et sted at øve sig i at være sammen med andre.",
        &[S, F],
        &["unge", "angst", "fællesskab"],
        "Sara, psykolog",
        true,
    ),
    (
        "Hjemmesygeplejen tjekker medicinen sammen med apoteket",
        "En gang om måneden gennemgår hjemmesygeplejen og det lokale apotek medicinen for borgere med mange præparater. Der sker færre fejl.",
        &[S],
        &["medicin", "samarbejde", "patientsikkerhed"],
        "Tove, sygeplejerske",
        false,
    ),
    (
        "Frivillige besøgsvenner på plejecentret",
        "Ældre Sagen og plejecentret har matchet tolv besøgsvenner med beboere, der sjældent får besøg. Nogle er blevet venner for livet.",
        &[S, F],
        &["frivillige", "ensomhed", "ældre"],
        "Hans, frivillig",
        true,
    ),
];

/// Installs the demo stories once (nothing when the municipality has stories already).
/// The first few are drafts, so the demo shows the whole life of a story.
pub async fn install(db: &Db, municipality: Uuid) -> anyhow::Result<usize> {
    if store::count(db, municipality).await? > 0 {
        return Ok(0);
    }
    crate::platform::site::store::core_tasks(db, municipality).await?;
    for (i, (title, body, tasks, tags, author, public)) in STORIES.iter().enumerate() {
        let input = StoryInput {
            title: title.to_string(),
            body: body.to_string(),
            core_tasks: tasks.iter().map(|t| t.to_string()).collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            unit_id: None,
            visibility: Some(if *public { Visibility::Public } else { Visibility::Internal }),
        };
        let state = if i % 15 == 14 { StoryState::Draft } else { StoryState::Published };
        store::create(db, municipality, &input, (None, author), state, AuditEntry::system("story.created", "demo"))
            .await?;
    }
    Ok(STORIES.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stories::model::{BODY_MAX_CHARS, TITLE_MAX_CHARS};

    #[test]
    fn the_demo_stories_meet_the_rules() {
        assert!(STORIES.len() >= 60, "{}", STORIES.len());
        let keys: Vec<&str> = crate::platform::site::model::DEFAULT_CORE_TASKS.iter().map(|t| t.0).collect();
        for (title, body, tasks, tags, _, _) in STORIES {
            assert!(!title.is_empty() && title.chars().count() <= TITLE_MAX_CHARS);
            assert!(!body.is_empty() && body.chars().count() <= BODY_MAX_CHARS);
            assert!(!tasks.is_empty() && tasks.iter().all(|t| keys.contains(t)), "{title}");
            assert!(tags.iter().all(|t| *t == t.to_lowercase()), "{title}");
        }
    }
}
