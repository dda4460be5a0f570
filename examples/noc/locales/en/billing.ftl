# Billing pages: packages, customers, payments, receipts, reports, the isolation setup.

## The Billing page
billing-title = Billing
billing-heading = Billing · { $month }
billing-customers = Customers
billing-owing = Owing
billing-isolated = Isolated
billing-reports = Reports
billing-isolation-setup = Isolation setup
billing-paused-banner = Isolation is paused: invoices and reminders go on, nobody is isolated.
billing-invoiced = Invoiced
billing-received = Received
billing-last-run = Last run
billing-never = never
billing-as-of = as of
billing-run-cycle = Run the cycle…
billing-pause-confirm = Pause isolation? Nobody is isolated until you resume.
billing-resume = Resume isolation
billing-pause = Pause isolation
billing-packages = Packages
billing-no-packages = No package yet: a package is a PPP profile with a monthly price.
billing-name = Name
billing-ppp-profile = PPP profile
billing-monthly-price = Monthly price
billing-save-package = Save package
billing-import-title = Import PPP secrets
billing-router = Router
billing-import-preview = Show what would be imported…
billing-add-customer = Add a customer
billing-ppp-secret = PPP secret
billing-package = Package
billing-package-none = (none)
billing-billing-day = Billing day (1–28)
billing-grace-days = Grace days
billing-phone-whatsapp = Phone (WhatsApp)
billing-telegram-chat = Telegram chat id
billing-area = House / area
billing-since = Billed from
billing-add = Add

## Customers
billing-arrears-csv = Arrears CSV
billing-search-placeholder = name or area
billing-search = search
billing-show-label = show
billing-show-all = all
billing-show-owing = owing
billing-show-isolated = isolated
billing-show-exempt = exempt
billing-show-inactive = inactive
billing-show = Show
billing-balance-label = Balance:
billing-no-customers = No customers.
billing-no-customers-match = No customers match.

## A customer
billing-balance = Balance
billing-credit = (credit)
billing-secret-on = { $secret } on { $router }
billing-billing-day-label = Billing day
billing-day-grace = { $day } (grace { $grace } days)
billing-status = Status
billing-status-active = active
billing-status-inactive = inactive
billing-area-label = Area
billing-phone = Phone
billing-since-label = Since
billing-restore-button = Restore…
billing-isolate-button = Isolate…
billing-record-payment = Record a payment
billing-amount = Amount
billing-method = Method
billing-method-cash = cash
billing-method-transfer = transfer
billing-note = Note
billing-preview = Preview…
billing-invoices = Invoices
billing-due = due { $due }
billing-invoice-paid = paid
billing-invoice-partial = partial
billing-invoice-unpaid = unpaid
billing-no-invoices = No invoices yet.
billing-payments = Payments
billing-by = by { $user }
billing-no-payments = No payments yet.
billing-edit = Edit
billing-exempt = Exempt from isolation
billing-save = Save
billing-cancel = Cancel

## Receipt
receipt-title = Receipt { $number }
receipt-heading = Receipt
receipt-date = Date
receipt-from = Received from
receipt-amount = Amount
receipt-method = Method
receipt-balance-after = Balance after
receipt-recorded-by = Recorded by
receipt-back = Back to the customer
receipt-print = Print

## Reports
reports-title = Billing reports
reports-csv-invoices = invoices
reports-csv-payments = payments
reports-csv-arrears = arrears
reports-month = Month
reports-paid-unpaid = { $paid } paid · { $unpaid } not paid
reports-revenue = Revenue per month
reports-month-line = invoiced { $invoiced } ({ $invoices }) · received { $received } ({ $payments })
reports-nothing-yet = Nothing yet.
reports-arrears = Arrears
reports-nobody-owes = Nobody owes anything.

## Isolation setup
setup-intro-before = Isolated customers are moved to the PPP profile
setup-intro-after = : their own address pool and address list, a low rate limit, only DNS and the notice page reachable, and plain web pages (HTTP) redirected to the notice page noc serves.
setup-listening-before = noc serves the notice page on
setup-listening-after = . Give the address the router reaches it on.
setup-no-listener-before = noc serves no notice page yet: set
setup-no-listener-under = under
setup-no-listener-after = in noc.toml and restart.
setup-notice = Notice page (IP:PORT, as the router reaches noc)
setup-pool = Address pool
setup-local-address = Router address on those sessions
setup-rate-limit = Rate limit
setup-show-commands = Show the commands…

## A run of the billing cycle (its preview and the operators' digest)
billing-run-head = Billing { $date }
billing-run-dry = (dry run: nothing changed)
billing-run-paused = isolation paused
billing-run-invoices = Invoices: { $count } ({ $total })
billing-run-more = … and { $count } more
billing-run-reminders = Reminders: { $count }
billing-run-isolated = Isolated: { $count }
billing-run-restored = Restored: { $count }
billing-run-left = Left for the next run: { $reason }

## Customers and payments: messages
billing-field-router = router
billing-field-billing-day = billing day
billing-field-grace-days = grace days
billing-err-whole-number = { $field }: a whole number
billing-err-pick-router = router: pick one
billing-err-status = status: active or inactive
billing-err-amount = Amount: { $reason }
billing-customer-added = Customer '{ $name }' added.
billing-customer-saved = '{ $name }' saved.
billing-pay-record = Record { $amount } from { $name } ({ $method }).
billing-pay-balance-after = Balance after: { $balance }
billing-pay-restores = The customer is isolated: their package profile comes back and the session restarts.
billing-pay-stays-isolated = The customer stays isolated while older invoices are unpaid.
billing-pay-button = Record payment
billing-pay-recorded = Payment recorded: receipt { $receipt }.
billing-pay-restored = Internet restored.
billing-pay-pending = Not restored yet ({ $reason }); the next run retries.
receipt-not-found = no receipt #{ $id }
billing-err-router-not-configured = the customer's router is not configured
billing-err-router-unknown-state = { $router } is not connected: nothing can be changed while its state is unknown
billing-err-router-not-connected = the customer's router is not connected
billing-err-no-secret = { $router } has no PPP secret { $secret }
billing-isolation-set = On { $router }: { $command } (now { $now })
billing-isolation-sessions = /ppp/active/remove: { $count } session(s) end, and the client redials with { $profile }
billing-isolation-again = If the customer still owes, the next daily run isolates them again unless they are exempted.
billing-isolate-title = Isolate a customer
billing-restore-title = Restore a customer
billing-isolate = Isolate
billing-restore = Restore
billing-forced = { $name } ({ $secret }): { $from } → { $to }, { $ended } session(s) ended (by hand)

## Packages, import, running the cycle, the isolation setup: messages
setup-field-package-name = Package name
setup-field-profile = Profile
setup-err-price = Price: { $reason }
setup-package-saved = Package '{ $name }' saved.
setup-err-no-router = no router #{ $id }
setup-err-not-connected = { $router } is not connected
setup-err-router-not-connected = the router is not connected
setup-import-line = { $secret }: profile { $profile } → package { $package } ({ $price })
setup-import-line-no-package = { $secret }: profile { $profile } → no package (not billed until one is set)
setup-import-nothing = Every secret of this router is a customer already.
setup-import-billed-from = Each is billed from today ({ $today }) on day { $day } of the month; change it per customer.
setup-import-title = Import { $count } PPP secrets as customers
setup-import-button = Import
setup-imported = { $count } customers imported.
setup-err-date = Date: YYYY-MM-DD
setup-run-title = Run the billing cycle
setup-run-button = Run it
setup-run-done = Cycle run: { $invoices } invoices, { $reminders } reminders, { $isolated } isolated, { $restored } restored.
setup-run-done-left = Cycle run: { $invoices } invoices, { $reminders } reminders, { $isolated } isolated, { $restored } restored; { $left } left for the next run.
setup-paused = Isolation paused: nobody is isolated until you resume.
setup-resumed = Isolation resumed.
setup-err-notice = Notice page: noc's address as the router reaches it, IP:PORT (like 192.168.88.10:8081)
setup-nothing-to-do = { $router } has everything isolation needs already.
setup-title-on = Isolation setup on { $router }
setup-apply-button = Apply on the router
setup-done = Isolation set up on { $router } ({ $count } commands).

## Typed amounts and other refusals
billing-money-empty = enter an amount
billing-money-not-a-number = { $typed } is not an amount (write 150000, 150.000 or 150rb)
billing-money-fraction = { $typed }: amounts are whole { $unit }, without decimals
billing-money-not-positive = the amount must be more than 0
billing-money-too-large = { $typed } is more than the largest amount accepted ({ $max })
billing-err-no-customer = no customer #{ $id }
billing-err-required = { $what }: required
billing-err-too-long = { $what }: at most 64 characters
billing-err-control = { $what }: no control characters
billing-err-amount-range = the amount must be between 1 and { $max }
billing-err-note = note: at most 200 characters, one line
billing-err-no-isolate-profile = the router has no { $profile } profile: run the isolation setup on the Billing page first

billing-customer-language = Language of reminders and the notice page
billing-customer-language-default = as set for billing
