# The page frame every dashboard page shares, and words many pages use.

nav-overview = Overview
nav-queues = Queues
nav-trees = Queue Tree
nav-l7 = Layer 7
nav-hotspot = Hotspot
nav-billing = Billing
nav-devices = Devices
nav-alerts = Alerts
nav-routers = Routers
nav-users = Users
nav-audit = Audit log
nav-settings = Settings
nav-logout = Log out
nav-language = Language
nav-language-set = Set

role-admin = admin
role-operator = operator
role-read-only = read-only

banner-storage-failing = Storage is failing: { $fault }. Alerts are kept in memory and retried.
banner-storage-fault = { $what } since { $when } UTC ({ $failed } writes failed)
banner-embedded = No router is configured: this dashboard is showing the embedded RouterOS simulator (ros-sim at { $address }), reached through the real API protocol. Add routers in noc.toml (--config) or on the Routers page.
banner-embedded-short = Demo: the built-in simulator.
banner-embedded-add = Add your router

error-title = Error { $status }
error-not-found-title = Not found
error-back = Back
error-home = Overview
error-not-found = There is no such page.
error-read-only = Read-only users cannot change anything.
error-cannot-sell = Read-only users cannot sell vouchers.
error-template = The page could not be shown.

language-saved = Language set to { $language }.
language-unknown = There is no language “{ $language }” here: choose English (en) or Bahasa Indonesia (id).

# The dashboard's script (static/app.js): live updates, checks, progress.
js-state-up = up
js-state-down = down
js-state-connecting = connecting
js-no-data = no data yet
js-login-again = Log in again
js-live-logged-out = Live updates stopped: you are logged out. The figures below are the last ones received.
js-live-stopped = Live updates stopped. The figures below are the last ones received; reload the page.
js-live-unreachable = Live updates stopped: noc cannot be reached. The figures below are the last ones received.
js-live-reconnecting = Reconnecting… the figures below are the last ones received.
js-polls = { $ok } ok / { $failed } failed
js-edit = Edit
js-disabled = (disabled)
js-cannot-check = cannot check: { $error }
js-nothing-to-do = nothing to do: the router already has this
js-l7-error = error: { $error }
js-l7-matches = matches
js-l7-no-match = no match
js-l7-flow = { $flow } ({ $packets } packets)
js-vouchers-adding = Adding vouchers to the router…
js-vouchers-progress = { $added } of { $total } added
js-vouchers-stopped = Stopped after { $added }: { $error }
js-ack-all-confirm = Acknowledge the open alerts of this filter ({ $count })?
js-devices-summary = { $count } devices, { $down } down
