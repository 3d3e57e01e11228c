org-title = Organisation
org-lead = The municipality's units, leaders and employees.
org-empty = There are no units to show. Load the organisation with samskab import org.
org-col-unit = Unit
org-col-leader = Leader
org-col-headcount = Employees
org-col-name = Name
org-col-title = Job title
org-col-pay = Pay
org-vacant = Vacant
org-no-leader = No manager post
org-headcount = { $count ->
    [one] { $formatted } employee in all
   *[other] { $formatted } employees in all
}
org-children = Sub-units
org-children-of = Sub-units of { $unit }
org-level = Level
org-valid-from = Valid from
org-staff = Employees in the unit
org-staff-of = Employees in { $unit }
org-no-staff = Nobody is employed directly in the unit.
pay-hourly = Hourly
pay-salaried = Salaried
pay- = –
person-email = Email
person-phone = Phone
person-posts = Engagements and manager posts
person-kind = Kind
person-manager-post = Manager post
person-engagement = Engagement
people-title = Find a person
people-search-label = Search by name or job title
people-search-button = Search
people-error-long = The search may be at most { $max } characters.
people-error-short = Enter at least two characters.
people-found = { $count ->
    [one] One person found.
   *[other] { $formatted } people found.
}
span-title = Span of control
span-lead = How many employees report directly to each leader. A leader is never counted among their own staff, and staff under a vacant manager post count for the nearest leader above.
span-department = Department
span-all-departments = All departments
span-level = Level
span-all-levels = All levels
span-limit = Limit for a large span
span-only-over = Only show leaders over the limit
span-error-department = Choose a department from the list.
span-error-level = The level must be a number from 1 to 20.
span-error-limit = The limit must be a whole number from 0 to 100,000.
span-distribution = Distribution of spans of control
span-chart-desc = Number of leaders by number of direct reports. Bars over the limit of { $limit } are marked in red.
span-axis = Direct reports
span-table = Leaders
span-count = { $count ->
    [one] One leader.
   *[other] { $formatted } leaders.
}
span-over-count = { $count ->
    [0] None over the limit.
    [one] One over the limit.
   *[other] { $formatted } over the limit.
}
span-over-marker = over the limit
span-none = No leaders match the filters.
span-export-csv = Download as CSV
span-export-xlsx = Download as Excel (XLSX)
span-sheet = Span of control
span-col-leader = Leader
span-col-email = Email
span-col-unit = Unit
span-col-level = Level
span-col-direct = Direct
span-col-total = Total below
span-col-leaders = Of which leaders
span-col-hourly = Hourly
span-col-salaried = Salaried
span-showing = Showing { $range }.

nav-organisation = Organisation
nav-span = Span of control
home-figures = The organisation in figures
home-units = units
home-people = employees
home-leaders = leaders
home-go-organisation = See the organisation
home-go-span = See span of control
home-scope-figures = Your area in figures
audit-kind-unit = Unit
audit-kind-person = Person
audit-action-organisation-import = Organisation imported
audit-action-organisation-demo = Demo organisation created
audit-action-organisation-span-export = Span of control exported
audit-field-units-created = Units created
audit-field-units-updated = Units changed
audit-field-units-closed = Units closed
audit-field-people-created = People created
audit-field-people-updated = People changed
audit-field-engagements-created = Engagements created
audit-field-engagements-updated = Engagements changed
audit-field-engagements-closed = Engagements ended
audit-field-managers-created = Manager posts created
audit-field-managers-updated = Manager posts changed
audit-field-managers-closed = Manager posts ended
audit-field-completed-interrupted-import = Completed an interrupted import
audit-field-format = Format
audit-field-rows = Rows
