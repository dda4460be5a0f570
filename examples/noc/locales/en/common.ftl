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
