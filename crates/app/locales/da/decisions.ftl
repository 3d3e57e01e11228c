proposal-error-title = Skriv en titel på højst { $max } tegn.
proposal-error-text = Teksten må højst være { $max } tegn.
proposal-error-inputs = Et eller flere input findes ikke i denne proces.
proposal-error-inputs-many = Et forslag kan højst laves af { $max } input.
proposal-error-state = Vælg en beslutning: under overvejelse, vedtaget, delvist vedtaget, afvist eller gennemført.
proposal-error-reason = Skriv en begrundelse på højst { $max } tegn. En beslutning skal altid begrundes.
proposal-error-unit = Den ansvarlige enhed findes ikke.
audit-action-proposal-created = Forslag oprettet
audit-action-proposal-decided = Beslutning om forslag
proposal-error-state-filter = Vælg en status, der findes.
proposal-error-responsible = Den ansvarlige må højst være { $max } tegn.
proposal-error-deadline = Skriv fristen som en dato (åååå-mm-dd).
proposal-error-theme = Temaet findes ikke (temaerne kan være beregnet på ny).
proposal-error-statement = Udsagnet findes ikke i denne proces.
proposal-error-bulk = Vælg mellem 1 og { $max } forslag.
proposal-error-bulk-unknown = Et eller flere af de valgte forslag findes ikke i denne proces.
publish-error-nothing = Der er endnu ingen beslutninger at offentliggøre.
audit-action-decisions-published = Beslutninger offentliggjort
nav-my-inputs = Mine input
proposal-state-new = Nyt
proposal-state-under_consideration = Under overvejelse
proposal-state-accepted = Vedtaget
proposal-state-partly_accepted = Delvist vedtaget
proposal-state-rejected = Afvist
proposal-state-implemented = Gennemført
proposals-title = Forslag: { $title }
proposals-heading = Forslag
proposals-progress = { $decided } af { $total } forslag er besluttet
proposals-filter = Filtrér forslag
proposals-filter-state = Status
proposals-filter-all = Alle
proposals-filter-undecided = Ikke besluttet
proposals-filter-theme = Tema
proposals-filter-unit = Ansvarlig enhed
proposals-filter-responsible = Ansvarlig person
proposals-matching = { $count ->
    [one] { $formatted } forslag
   *[other] { $formatted } forslag
}
proposals-choose = Vælg
proposals-choose-one = Vælg forslag { $number }
proposals-col-number = Nr.
proposals-col-title = Forslag
proposals-col-state = Status
proposals-col-unit = Ansvarlig
proposals-col-deadline = Frist
proposals-none = Ingen forslag.
proposals-bulk = Samme beslutning for de valgte forslag
proposals-bulk-save = Beslut de valgte forslag
proposals-publish = Offentliggør beslutningerne
proposals-published-at = Beslutningerne blev senest offentliggjort { $at }.
proposals-saved-bulk = Beslutningen er gemt for de valgte forslag.
proposals-saved-published = Beslutningerne er offentliggjort. Alle, der gav input, kan nu se, hvad der blev af det.
proposals-saved-created = Forslaget er oprettet.
proposal-title = Forslag { $number }: { $title }
proposal-number = Forslag { $number }
proposal-new-title = Nyt forslag
proposal-field-title = Titel
proposal-field-text = Beskrivelse
proposal-create = Opret forslag
proposal-field-state = Beslutning
proposal-choose-state = Vælg beslutning
proposal-field-reason = Begrundelse
proposal-field-reason-hint = Begrundelsen vises for dem, der gav input til forslaget.
proposal-field-unit = Ansvarlig enhed
proposal-no-unit = Ingen
proposal-field-responsible = Ansvarlig person
proposal-field-deadline = Frist
proposal-save-next = Gem og gå til næste
proposal-save = Gem
proposal-saved = Beslutningen er gemt.
proposal-left = { $count ->
    [0] Alle forslag er besluttet.
    [one] Ét forslag mangler en beslutning.
   *[other] { $formatted } forslag mangler en beslutning.
}
proposal-from-theme = Lavet ud fra temaet »{ $theme }«.
proposal-from-statement = Lavet ud fra udsagn { $number }.
proposal-inputs = { $count ->
    [one] Ét input bag forslaget
   *[other] { $formatted } input bag forslaget
}
proposal-history = Historik
proposal-history-when = Tidspunkt
proposal-history-who = Af
decision-document-title = Beslutningsdokument
decision-log-link = Beslutningslog
decision-log-title = Beslutninger: { $title }
decision-log-lead = Beslutningerne blev offentliggjort { $at }.
answers-title = Det blev der af dit input: { $title }
answers-published = Beslutningerne blev offentliggjort { $at }.
answers-not-published = Beslutningerne er ikke offentliggjort endnu. Kom tilbage senere for at se, hvad der blev af dit input.
answers-you-wrote = Du skrev { $at }:
answers-hidden = Dit input blev skjult: { $reason }
answers-decision = Forslag { $number }: { $title }
answers-no-proposal = Dit input indgik i behandlingen, men blev ikke til et selvstændigt forslag.
answers-back = Tilbage til processen
receipt-heading = Tak for dit input
receipt-keep = Gem dette link. Med det kan du senere se, hvad der blev af dit input. Linket siger intet om, hvem du er.
my-inputs-title = Mine input
my-inputs-lead = Her ser du dit input i kommunens processer, og hvad der blev besluttet om det.
my-inputs-none = Du har ikke givet input i nogen proces endnu.
publish-mail-subject = Det blev der af dit input: { $title }
publish-mail-lead = Beslutningerne i »{ $title }« er nu offentliggjort.
publish-mail-link = Se hvad der blev af dit input: { $link }
decision-log-not-published = Beslutningerne er ikke offentliggjort endnu.
