proposal-error-title = Write a title of at most { $max } characters.
proposal-error-text = The text may be at most { $max } characters.
proposal-error-inputs = One or more inputs are not in this process.
proposal-error-inputs-many = A proposal can be made from at most { $max } inputs.
proposal-error-state = Choose a decision: under consideration, accepted, partly accepted, rejected or implemented.
proposal-error-reason = Write a reason of at most { $max } characters. A decision always needs a reason.
proposal-error-unit = The responsible unit does not exist.
audit-action-proposal-created = Proposal created
audit-action-proposal-decided = Proposal decided
proposal-error-state-filter = Choose a state that exists.
proposal-error-responsible = The person responsible may be at most { $max } characters.
proposal-error-deadline = Write the deadline as a date (yyyy-mm-dd).
proposal-error-theme = The theme does not exist (the themes may have been recomputed).
proposal-error-statement = The statement is not in this process.
proposal-error-bulk = Choose between 1 and { $max } proposals.
proposal-error-bulk-unknown = One or more of the chosen proposals are not in this process.
publish-error-nothing = There are no decisions to publish yet.
audit-action-decisions-published = Decisions published
nav-my-inputs = My inputs
proposal-state-new = New
proposal-state-under_consideration = Under consideration
proposal-state-accepted = Accepted
proposal-state-partly_accepted = Partly accepted
proposal-state-rejected = Rejected
proposal-state-implemented = Implemented
proposals-title = Proposals: { $title }
proposals-heading = Proposals
proposals-progress = { $decided } of { $total } proposals decided
proposals-filter = Filter proposals
proposals-filter-state = State
proposals-filter-all = All
proposals-filter-undecided = Not decided
proposals-filter-theme = Theme
proposals-filter-unit = Responsible unit
proposals-filter-responsible = Person responsible
proposals-matching = { $count ->
    [one] { $formatted } proposal
   *[other] { $formatted } proposals
}
proposals-choose = Choose
proposals-choose-one = Choose proposal { $number }
proposals-col-number = No.
proposals-col-title = Proposal
proposals-col-state = State
proposals-col-unit = Responsible
proposals-col-deadline = Deadline
proposals-none = No proposals.
proposals-bulk = One decision for the chosen proposals
proposals-bulk-save = Decide the chosen proposals
proposals-publish = Publish the decisions
proposals-published-at = The decisions were last published { $at }.
proposals-saved-bulk = The decision is saved for the chosen proposals.
proposals-saved-published = The decisions are published. Everyone who gave input can now see what became of it.
proposals-saved-created = The proposal is created.
proposal-title = Proposal { $number }: { $title }
proposal-number = Proposal { $number }
proposal-new-title = New proposal
proposal-field-title = Title
proposal-field-text = Description
proposal-create = Create proposal
proposal-field-state = Decision
proposal-choose-state = Choose a decision
proposal-field-reason = Reason
proposal-field-reason-hint = The reason is shown to those who gave input to the proposal.
proposal-field-unit = Responsible unit
proposal-no-unit = None
proposal-field-responsible = Person responsible
proposal-field-deadline = Deadline
proposal-save-next = Save and go to the next
proposal-save = Save
proposal-saved = The decision is saved.
proposal-left = { $count ->
    [0] All proposals are decided.
    [one] One proposal still needs a decision.
   *[other] { $formatted } proposals still need a decision.
}
proposal-from-theme = Made from the theme “{ $theme }”.
proposal-from-statement = Made from statement { $number }.
proposal-inputs = { $count ->
    [one] One input behind the proposal
   *[other] { $formatted } inputs behind the proposal
}
proposal-history = History
proposal-history-when = When
proposal-history-who = By
decision-document-title = Decision document
decision-log-link = Decision log
decision-log-title = Decisions: { $title }
decision-log-lead = The decisions were published { $at }.
answers-title = What became of your input: { $title }
answers-published = The decisions were published { $at }.
answers-not-published = The decisions are not published yet. Come back later to see what became of your input.
answers-you-wrote = You wrote { $at }:
answers-hidden = Your input was hidden: { $reason }
answers-decision = Proposal { $number }: { $title }
answers-no-proposal = Your input was part of the work but did not become a proposal of its own.
answers-back = Back to the process
receipt-heading = Thank you for your input
receipt-keep = Keep this link. With it you can see later what became of your input. The link says nothing about who you are.
my-inputs-title = My inputs
my-inputs-lead = Your input in the municipality's processes, and what was decided about it.
my-inputs-none = You have not given input in any process yet.
publish-mail-subject = What became of your input: { $title }
publish-mail-lead = The decisions in “{ $title }” are now published.
publish-mail-link = See what became of your input: { $link }
decision-log-not-published = The decisions are not published yet.
