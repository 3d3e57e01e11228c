error-language = Sproget findes ikke.
home-title = Samskab
home-lead = Kommunens fælles platform for udvikling: strategi, forløb, inddragelse og opfølgning.
home-welcome = Velkommen, { $name }.
accessibility-title = Tilgængelighedserklæring
accessibility-lead = Samskab skal kunne bruges af alle, også med skærmlæser, forstørrelse eller tastatur alene.
accessibility-status-heading = Overholdelse
accessibility-status = Samskab er bygget med Det Fælles Designsystem og testes automatisk mod WCAG 2.1 niveau AA med axe-core. Siderne virker uden JavaScript.
accessibility-was-heading = Kommunens erklæring
accessibility-was = Kommunen offentliggør sin tilgængelighedserklæring for løsningen via Digitaliseringsstyrelsens WAS-Tool. Adressen /was fører hertil.
accessibility-contact-heading = Kontakt
accessibility-contact = Oplever du problemer med tilgængeligheden, så kontakt kommunens HR og Udvikling skriftligt eller telefonisk.
about-title = Om Samskab
about-lead = Samskab er open source-software til kommuners udviklingsarbejde.
about-version = Version { $version }.
about-licence = Udgivet under Mozilla Public License 2.0.
about-credits = Det Fælles Designsystem (MIT, OFL-1.1, Apache-2.0) og htmx (0BSD) indgår med deres licenser.
home-code = Har du fået en kode til en workshop eller en måling? Skriv den her
home-page-title = Forside

# /kode: one page for every module's codes (a workshop's, a survey kiosk's).
code-enter-title = Deltag med en kode
code-enter-lead = Skriv koden, som står på væggen, på skærmen eller i invitationen.
code-label = Kode
code-join = Fortsæt
code-error-unknown = Koden findes ikke eller er udløbet. Tjek, at du har skrevet den rigtigt.
