org-title = Organisation
org-lead = Kommunens enheder, ledere og medarbejdere.
org-empty = Der er ingen enheder at vise. Indlæs organisationen med samskab import org.
org-col-unit = Enhed
org-col-leader = Leder
org-col-headcount = Ansatte
org-col-name = Navn
org-col-title = Stilling
org-col-pay = Løn
org-vacant = Vakant
org-no-leader = Ingen lederpost
org-headcount = { $count ->
    [one] { $formatted } ansat i alt
   *[other] { $formatted } ansatte i alt
}
org-children = Underenheder
org-children-of = Underenheder i { $unit }
org-level = Niveau
org-valid-from = Gyldig fra
org-staff = Medarbejdere i enheden
org-staff-of = Medarbejdere i { $unit }
org-no-staff = Ingen er ansat direkte i enheden.
pay-hourly = Timelønnet
pay-salaried = Månedslønnet
pay- = –
person-email = E-mail
person-phone = Telefon
person-posts = Ansættelser og lederposter
person-kind = Type
person-manager-post = Lederpost
person-engagement = Ansættelse
people-title = Find person
people-search-label = Søg efter navn eller stilling
people-search-button = Søg
people-error-long = Søgningen må højst være på { $max } tegn.
people-error-short = Skriv mindst to tegn.
people-found = { $count ->
    [one] Én person fundet.
   *[other] { $formatted } personer fundet.
}
span-title = Ledelsesspænd
span-lead = Hvor mange medarbejdere hver leder har direkte under sig. En leder tælles aldrig med i sin egen medarbejdergruppe, og medarbejdere under en vakant lederpost tælles hos nærmeste leder ovenover.
span-department = Forvaltning
span-all-departments = Alle forvaltninger
span-level = Niveau
span-all-levels = Alle niveauer
span-limit = Grænse for stort spænd
span-only-over = Vis kun ledere over grænsen
span-error-department = Vælg en forvaltning fra listen.
span-error-level = Niveauet skal være et tal fra 1 til 20.
span-error-limit = Grænsen skal være et helt tal fra 0 til 100.000.
span-distribution = Fordeling af ledelsesspænd
span-chart-desc = Antal ledere efter antal direkte medarbejdere. Søjler over grænsen på { $limit } er markeret med rødt.
span-axis = Direkte medarbejdere
span-table = Ledere
span-count = { $count ->
    [one] Én leder.
   *[other] { $formatted } ledere.
}
span-over-count = { $count ->
    [0] Ingen over grænsen.
    [one] Én over grænsen.
   *[other] { $formatted } over grænsen.
}
span-over-marker = over grænsen
span-none = Ingen ledere matcher filtrene.
span-export-csv = Hent som CSV
span-export-xlsx = Hent som Excel (XLSX)
span-sheet = Ledelsesspænd
span-col-leader = Leder
span-col-email = E-mail
span-col-unit = Enhed
span-col-level = Niveau
span-col-direct = Direkte
span-col-total = I alt under
span-col-leaders = Heraf ledere
span-col-hourly = Timelønnede
span-col-salaried = Månedslønnede
span-showing = Viser { $range }.

nav-organisation = Organisation
nav-span = Ledelsesspænd
home-figures = Organisationen i tal
home-units = enheder
home-people = medarbejdere
home-leaders = ledere
home-go-organisation = Se organisationen
home-go-span = Se ledelsesspænd
home-scope-figures = Dit område i tal
audit-kind-unit = Enhed
audit-kind-person = Person
audit-action-organisation-import = Organisationen importeret
audit-action-organisation-demo = Demoorganisation oprettet
audit-action-organisation-span-export = Ledelsesspænd eksporteret
audit-field-units-created = Enheder oprettet
audit-field-units-updated = Enheder ændret
audit-field-units-closed = Enheder lukket
audit-field-people-created = Personer oprettet
audit-field-people-updated = Personer ændret
audit-field-engagements-created = Ansættelser oprettet
audit-field-engagements-updated = Ansættelser ændret
audit-field-engagements-closed = Ansættelser afsluttet
audit-field-managers-created = Lederstillinger oprettet
audit-field-managers-updated = Lederstillinger ændret
audit-field-managers-closed = Lederstillinger afsluttet
audit-field-completed-interrupted-import = Fuldførte en afbrudt import
audit-field-format = Format
audit-field-rows = Rækker
