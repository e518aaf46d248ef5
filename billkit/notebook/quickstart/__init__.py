"""What the quickstart notebooks' cells call: the session (client, embedded sandbox, webhook receiver),
paying as a payer would (`payer`), recorded HTTP exchanges to show (`exchanges`), and the bill form of
notebook 05 (`bill_form` checks its values, `widgets` draws it and the webhook feed)."""
