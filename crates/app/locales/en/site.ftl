error-language = That language does not exist.
home-title = Samskab
home-lead = The municipality's shared platform for development: strategy, programmes, involvement and follow-up.
home-welcome = Welcome, { $name }.
accessibility-title = Accessibility statement
accessibility-lead = Samskab must be usable by everyone, including with a screen reader, magnification or a keyboard alone.
accessibility-status-heading = Compliance
accessibility-status = Samskab is built with Det Fælles Designsystem and tested automatically against WCAG 2.1 level AA with axe-core. The pages work without JavaScript.
accessibility-was-heading = The municipality's statement
accessibility-was = The municipality publishes its accessibility statement for the solution through the Danish Agency for Digital Government's WAS-Tool. The address /was leads here.
accessibility-contact-heading = Contact
accessibility-contact = If you run into accessibility problems, contact the municipality's HR and Development in writing or by phone.
about-title = About Samskab
about-lead = Samskab is open-source software for municipal development work.
about-version = Version { $version }.
about-licence = Published under the Mozilla Public License 2.0.
about-credits = Det Fælles Designsystem (MIT, OFL-1.1, Apache-2.0) and htmx (0BSD) are included with their licences.
home-code = Have you been given a code for a workshop or a survey? Type it here
home-page-title = Home

# /kode: one page for every module's codes (a workshop's, a survey kiosk's).
code-enter-title = Join with a code
code-enter-lead = Type the code shown on the wall, on the screen or in the invitation.
code-label = Code
code-join = Continue
code-error-unknown = The code does not exist or has expired. Check that you typed it correctly.
