# The chat bot (Telegram, WhatsApp, console).

chat-no-router-called = No router called { $name }.

## Command descriptions (/help)

chat-cmd-status = all routers: up/down, uptime, CPU, RAM, disk
chat-cmd-resource = one router's resources
chat-cmd-interfaces = interfaces, links and rates
chat-cmd-queues = top queues by current rate
chat-cmd-top = top talkers by queue rate
chat-cmd-queue = one queue: rate vs limit
chat-cmd-limit = set a queue's max-limit (admin)
chat-cmd-enable = enable a queue (admin)
chat-cmd-disable = disable a queue (admin)
chat-cmd-l7 = recent Layer 7 matches
chat-cmd-leases = recent devices (DHCP leases)
chat-cmd-ping = ping from the router (count 1-10)
chat-cmd-log = recent log lines
chat-cmd-voucher = make hotspot vouchers (operator)
chat-cmd-sales = hotspot sales
chat-cmd-hotspot = who is logged in to the hotspot
chat-cmd-customer = a customer's balance and invoices
chat-cmd-unpaid = who owes, most first
chat-cmd-paid = record a payment (operator; confirm with ok)
chat-cmd-isolate = isolate a customer (admin)
chat-cmd-restore = restore a customer (admin)
chat-cmd-devices = watched devices: up/down, latency
chat-cmd-adddevice = watch a device (operator)
chat-cmd-deldevice = stop watching (operator)
chat-cmd-isp = the ISP line: loss, latency
chat-cmd-quota = this month's WAN quota
chat-cmd-public = the public IP address
chat-cmd-diagnose = why a house's internet is slow
chat-cmd-alerts = open alerts
chat-cmd-mute = mute a rule's alerts (or: /mute RULE off)
chat-cmd-lang = the chat's language (id or en)
chat-cmd-help = this list

## Common

chat-too-long = That command is too long.
chat-usage = Usage:
chat-unknown-command = Unknown command /{ $name }. Try /help.
chat-no-router = No router is configured.
chat-not-connected = { $name } is not connected right now.
chat-and-more = … and { $count } more
chat-say-which = Say which, e.g.
chat-ambiguous-routers = Several routers match { $query }:
chat-ambiguous-queues = Several queues match { $query }:
chat-ambiguous-customers = Several customers match { $query }:
chat-ambiguous-devices = Several devices match { $query }:
chat-commands-start = Commands start with /. Try /help.
chat-console-hello = noc bot console: type /help (Ctrl-D to quit)
chat-help-title = Commands
chat-help-names = Names may have spaces; part of a name is enough;
chat-help-at = picks a router.
chat-help-times = Times are { $zone }.
chat-ph-name = NAME
chat-ph-amount = AMOUNT
chat-ph-profile = PROFILE
chat-ph-rule = RULE
chat-ph-parent = [parent]
chat-ph-count = [count]
chat-ph-filter = [filter]
chat-ph-keyword = [keyword]
chat-state-connecting = connecting
chat-state-up = up
chat-state-slow = slow
chat-state-down = down

## /lang

chat-lang-current = This chat is in { $name }. To change: /lang id or /lang en. Choices: { $choices }.
chat-lang-unknown = Unknown language { $word }. Choices: { $choices }.
chat-lang-set = ✅ This chat is now in { $name }.

## Queues

chat-on-router = on { $router }
chat-no-queue-matches = No queue matches { $filter }{ $on }.
chat-no-queues = No queues{ $on }.
chat-th-host = host
chat-th-rtr = rtr
chat-th-queue = queue
chat-th-down = down
chat-th-up = up
chat-th-use = use
chat-top-title = Top talkers
chat-queues-title = Queues
chat-queues-by-rate = by rate ({ $shown } of { $total })
chat-no-queue-called = No queue called { $name }.
chat-row-router = router
chat-row-target = target
chat-row-rate = rate
chat-rate-up-down = { $up } up / { $down } down
chat-row-use = use
chat-row-bytes = bytes
chat-row-dropped = dropped
chat-row-state = state
chat-disabled = disabled
chat-enabled = enabled
chat-row-comment = comment
chat-queue-title = Queue { $name }
chat-not-applied = Not applied: { $why }
chat-nothing-to-change = Nothing to change: { $name } is already so.
chat-failed = Failed: { $why }
chat-applied-on = Applied on { $router }:
chat-router-refused = The router refused: { $why }
chat-needs-admin-readonly = Sorry, /{ $what } needs an admin; you have read-only access.

## Routers

chat-status-line1 = { $state }, uptime { $uptime }
chat-status-line2 = cpu { $cpu } ram { $ram } disk { $disk }
chat-th-router = router
chat-th-state = state
chat-th-uptime = uptime
chat-th-disk = disk
chat-routers-title = Routers
chat-routers-up-not = { $up } up, { $down } not
chat-no-figures = No figures yet.
chat-row-board = board
chat-row-version = version
chat-row-uptime = uptime
chat-row-memory = memory
chat-row-disk = disk
chat-row-poll = poll
chat-free-of = { $free } free of { $total }
chat-link-off = off
chat-no-interfaces = no interfaces known yet.
chat-interfaces-title = interfaces
chat-th-name = name
chat-th-link = link
chat-no-leases = no DHCP leases.
chat-leases-title = leases (newest { $shown } of { $total })
chat-th-address = address
chat-th-status = status
chat-ping-failed = ping failed: { $why }
chat-ping-summary = sent { $sent }, received { $received }, loss { $loss }%
chat-ping-avg = , avg { $avg }
chat-from-router = from { $router }
chat-th-time = time
chat-log-no-match = No log line mentions { $keyword }.
chat-log-empty = The log is empty.
chat-router-clock = (router clock)

## Alerts

chat-no-l7 = No Layer 7 matches recorded yet{ $on }.
chat-th-app = app
chat-l7-title = Recent Layer 7 matches
chat-times-in = (times { $zone })
chat-no-open-alerts = No open alerts. ✅
chat-open-alerts-title = Open alerts
chat-open-alerts-count = ({ $count }, times { $zone })
chat-since = since { $time }
chat-muted-until = { $rule } muted until { $until } by { $by }
chat-no-rule-called = No rule called { $name }. Rules: { $rules }, all.
chat-unmuted = { $rule } alerts are back on.
chat-was-not-muted = { $rule } was not muted.
chat-muted-for = { $rule } muted for { $span } (until { $until }). Alerts still reach the dashboard.

## Billing

chat-no-such-customer = No such customer.
chat-no-customer-called = No customer called { $name }.
chat-isolated = isolated
chat-exempt = exempt
chat-balance = Balance:
chat-secret-day = Secret: { $secret } · day { $day }
chat-line-paid = paid
chat-line-partial = partial
chat-line-unpaid = unpaid
chat-nobody-owes = Nobody owes anything.
chat-owing = { $count } owing
chat-th-customer = customer
chat-th-owes = owes
chat-needs-operator = Sorry, /{ $what } needs an operator or an admin.
chat-needs-admin = Sorry, /{ $what } needs an admin.
chat-amount-error = Amount: { $why }
chat-paid-preview = Record { $amount } from { $name }?
chat-balance-after = Balance after: { $balance }
chat-paid-restores = Their internet is restored.
chat-to-record = To record, send:
chat-not-recorded = Not recorded: { $why }
chat-paid-recorded = { $amount } from { $name } recorded · receipt { $receipt }
chat-paid-recorded-already = { $amount } from { $name } recorded (already) · receipt { $receipt }
chat-internet-restored = Internet restored.
chat-not-restored-yet = Not restored yet: { $why } (the next run retries)
chat-customer-router-missing = The customer's router is not configured.
chat-not-connected-unknown = { $name } is not connected: nothing is changed while its state is unknown.
chat-isolate-preview = Isolate { $name } ({ $secret } on { $router })? Their session restarts.
chat-restore-preview = Restore { $name } ({ $secret } on { $router })? Their session restarts.
chat-to-do-it = To do it, send:
chat-not-done = Not done: { $why }

## Hotspot

chat-not-made = Not made: { $why }
chat-batch-stopped = The router stopped the batch: { $why }
chat-sales-today = today
chat-sales-month = this month
chat-sales-title = Sales { $when }
chat-sales-total = { $count } vouchers, Rp { $total }
chat-th-profile = profile
chat-sales-stored-only = (router unreachable: stored sales only)
chat-nobody-logged-in = Nobody is logged in on { $router }.
chat-logged-in = { $count } logged in
chat-th-user = user

## Network health

chat-state-unknown = unknown
chat-no-devices-yet = No devices watched yet. Add one:
chat-no-device-matches = No device matches.
chat-devices-more = { $count } more; add a filter.
chat-devices-title = Devices
chat-devices-count = { $total }, { $down } down
chat-th-device-parent = device<parent
chat-adding-needs-operator = Adding devices needs the operator or admin role.
chat-removing-needs-operator = Removing devices needs the operator or admin role.
chat-device-added = Added { $name }; { $router } checks it from now on.
chat-device-added-behind = Added { $name } behind { $parent }; { $router } checks it from now on.
chat-device-removed = Removed { $name }.
chat-no-such-device = No such device.
chat-no-device-called = No device called { $name }.
chat-isp-down = DOWN (router up, uplink dead)
chat-not-measured = not measured yet
chat-no-default-route = no default route
chat-route-via = via { $gateway }
chat-route-inactive = (inactive)
chat-th-to = to
chat-measured = measured { $time }
chat-no-quota = No quota configured ({ $section } in noc.toml) or counted yet.
chat-quota-title = Quota this month
chat-th-used = used
chat-th-of = of
chat-public-title = Public address
chat-public-unknown = unknown (/ip/cloud has none yet)
chat-diagnose-title = Diagnose { $target }
chat-likely-cause = Likely cause: { $cause }
chat-no-problem = No problem found.
chat-verdict-problem = PROBLEM
chat-only-text = Only text commands are understood. Try /help.

## Around pushed alerts (WhatsApp)

chat-alert-resolved = Resolved:
chat-severity-critical = critical
chat-severity-warning = warning
chat-severity-info = info
chat-alert-quiet-over = Quiet hours over
chat-alert-held-back = { $count } non-critical alert(s) held back. /alerts lists the open ones.
chat-refusal = Sorry, this number may not use this bot. Ask your network admin to add it to noc.
chat-tg-refusal = Sorry, this bot only answers the network's administrators. If you are one, ask to be added (chat id { $chat }{ $user }).
chat-refusal-user = , user id { $id }
