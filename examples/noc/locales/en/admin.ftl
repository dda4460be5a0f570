# Overview, alerts, alert rules, routers, users, audit log, settings, login.

## Overview

overview-title = Overview
overview-open-alerts = Open alerts
overview-all-alerts = All alerts
overview-embedded = embedded simulator
overview-ram = RAM used
overview-disk = Disk used
overview-uptime = Uptime
overview-version = Version
overview-queues = Queues
overview-simple-queues = simple queues
overview-poller = Poller
overview-polls = { $ok } ok / { $failed } failed
overview-last-poll = last poll
overview-isp-quota = ISP and quota
overview-isp-down = ISP down
overview-isp-down-detail = router up, uplink dead
overview-isp-up = ISP up
overview-isp-unmeasured = ISP not measured yet
overview-via = via { $gateway }
overview-on = on { $interface }
overview-public = public { $address }
overview-devices = { $count } devices
overview-devices-down = { $count } down
overview-ping-to = To
overview-ping-loss = Loss
overview-quota = { $interface } this month ({ $period }): { $used } of { $quota },
    { $percent }% used with { $elapsed }% of the month gone
overview-quota-bar = { $percent }% of the quota used, { $elapsed }% of the month gone
overview-interfaces = Interfaces
overview-if-name = Name
overview-if-type = Type
overview-if-link = Link
overview-live-chart = Live chart of
overview-no-routers = No routers yet. Add one on the
overview-no-routers-end = {" "}page.
overview-stale-since = Not live: no answer since { $time } UTC. The figures below are the last known.
overview-stale-never = Not live: never reached yet.

## Alerts

alerts-title = Alerts
alerts-rules-link = Alert rules
alerts-quick-label = Open alerts by severity
alerts-quick-open = Open:
alerts-quick-critical = critical
alerts-quick-warnings = warnings
alerts-quick-info = info
alerts-quick-all = all
alerts-severity = Severity
alerts-any = any
alerts-sev-critical = critical
alerts-sev-warning = warning
alerts-sev-info = info
alerts-state = State
alerts-state-open = open
alerts-state-resolved = resolved
alerts-resolved-at = resolved { $time }
alerts-text = Text
alerts-filter = Filter
alerts-count = alerts
alerts-confirm-ack-all = Acknowledge the open alerts of this filter ({ $count })?
alerts-ack-all = Acknowledge all
alerts-ack-all-note = every open alert of this filter not yet acknowledged, on every page
alerts-alert = Alert
alerts-first = First
alerts-last = Last
alerts-times = Count
alerts-acked-by = acknowledged by { $user }
alerts-ack = Acknowledge
alerts-none = No alerts.
alerts-newer = Newer
alerts-older = Older
alerts-page = page { $page } of { $pages }
alerts-resolved-no-ack = Resolved alerts need no acknowledging.
alerts-nothing-to-ack = Nothing to acknowledge.
alerts-acked = { $count ->
    [one] 1 alert acknowledged.
   *[other] { $count } alerts acknowledged.
}

## Alert rules

rules-title = Alert rules
rules-intro = Rules come from noc.toml (built-in rules when it has none) and from this page. A rule saved here replaces the noc.toml or built-in rule of the same name; deleting it brings that version back. Changes apply at once.
rules-back = Back to the alerts
rules-name = Name
rules-kind = Kind
rules-fires-on = Fires on
rules-for = For
rules-checks = Checks
rules-severity = Severity
rules-chats = Chats
rules-routers = Routers
rules-source = Source
rules-state = State
rules-hold-note = open for { $hold } after the last event
rules-enabled = enabled
rules-disabled = disabled
rules-edit = Edit
rules-disable = Disable
rules-enable = Enable
rules-confirm-delete = Delete alert rule '{ $name }'?
rules-none = No rules.
rules-edit-title = Edit rule { $name }
rules-add-title = Add a rule
rules-f-checks = Checks (unreachable)
rules-f-above = CPU above % (cpu)
rules-f-below = Free below (memory, disk)
rules-p-below = 10% or 64M
rules-f-percent = % of max-limit (queue)
rules-f-queues = Queues (queue)
rules-p-queues = all limited queues
rules-f-interfaces = Interfaces (interface)
rules-p-interfaces = interfaces seen running
rules-f-state = Link state (interface)
rules-f-apps = Apps (l7)
rules-p-all = all
rules-f-lists = Address lists (address-list)
rules-f-keywords = Keywords (log, one per line)
rules-f-regexes = Regexes (log, one per line)
rules-f-topics = Topics (log)
rules-p-any = any
rules-f-hold = Hold (events)
rules-f-digest = Chat digest every (l7, lease)
rules-p-digest = 10m; 0 sends each event
rules-p-chats = every alert chat
rules-f-channels = Channels
rules-p-channels = telegram, whatsapp (both)
rules-f-enabled = Enabled
rules-save = Save
rules-add = Add
rules-cancel = Cancel

## Users

users-title = Users
users-name = Name
users-role = Role
users-language = Language
users-language-browser = browser
users-confirm-delete = Delete user
users-confirm-delete-end = ? Their sessions end at once.
users-delete = Delete
users-new-password = new password
users-set-password = Set password
users-add-title = Add a user
users-password = Password
users-role-operator-vouchers = operator (sells vouchers)
users-add = Add
users-tokens-title = API tokens
users-tokens-intro = For payment gateways and scripts:
users-tokens-on = on
users-tokens-readme = (see the README). A token does what its role may.
users-token-new = New token (shown once, copy it now):
users-token-by = by { $user }
users-token-last-used = last used { $time }
users-confirm-revoke = Revoke API token '{ $name }'? Whatever uses it stops working.
users-revoke = Revoke
users-no-tokens = No API token.
users-token-placeholder = payment gateway
users-role-operator-payments = operator (records payments)
users-role-admin-customers = admin (adds customers)
users-make-token = Make a token
users-token-name-invalid = Token names are 1 to 64 printable characters.
users-name-invalid = User names are 1 to 64 printable characters.
users-password-short = Passwords need at least 8 characters.
users-cannot-delete-self = You cannot delete yourself.
users-no-such-user = No such user.
users-token-revoked = API token #{ $id } revoked.
users-added = User added.
users-deleted = User deleted.
users-password-changed = Password changed.

## Routers

routers-title = Routers
routers-name = Name
routers-address = Address
routers-user = User
routers-from = From
routers-status = Status
routers-tls-pinned = yes, pinned { $fingerprint }
routers-tls-no = no
routers-confirm-remove = Remove router '{ $name }' ({ $address }) from noc? The router itself is not changed.
routers-remove = Remove
routers-edit = Edit { $name }
routers-port = Port
routers-fingerprint = Certificate SHA-256 fingerprint
routers-password = Password
routers-unchanged = unchanged
routers-save = Save and reconnect
routers-add-title = Add a router
routers-port-placeholder = 8728 (8729 with TLS)
routers-fingerprint-placeholder = needed with TLS
routers-password-note = The password is stored encrypted and never shown again.
routers-add = Add
routers-not-a-port = { $port } is not a port
routers-required = Name, address and user are required.
routers-no-such-router = No such router.
routers-from-config = { $name } comes from noc.toml: change it there (it is read at start).
routers-port-invalid = Port: { $port } is not a port (1-65535)
routers-address-user-required = Address and user are required.
routers-saved = Router '{ $name }' saved; reconnecting.
routers-added = Router added.
routers-removed = Router removed.

## Audit log

audit-title = Audit log
audit-user = User
audit-action = Action
audit-text = Text
audit-filter = Filter
audit-entries = entries
audit-time = Time (UTC)
audit-router = Router
audit-detail = Detail
audit-result = Result
audit-ok = ok
audit-failed = failed
audit-none = Nothing yet.
audit-newer = Newer
audit-older = Older
audit-page = page { $page } of { $pages }

## Login

login-title = Log in
login-user = User
login-password = Password
login-submit = Log in
login-wrong = Wrong user name or password.
login-too-many = Too many failed logins. Wait { $wait } and try again.
login-wait-minute = a minute
login-wait-minutes = { $minutes } minutes
login-busy = Too many logins at once. Try again in a moment.
login-failed = Login failed on the server.

## Alert rules: what a rule fires on, field errors

rules-sum-each-event = ; chat: each event
rules-sum-digest = ; chat: a digest every { $every }
rules-sum-unreachable = down after { $checks } failed checks
rules-sum-cpu = above { $above }%
rules-sum-free-below = free below { $below }
rules-sum-interface = { $state }: { $interfaces }
rules-sum-queue = ≥ { $percent }% of max-limit: { $queues }
rules-sum-every-queue = every limited queue
rules-sum-apps = apps: { $apps }
rules-sum-lease = a new DHCP lease
rules-sum-lists = lists: { $lists }
rules-sum-keywords = keywords: { $list }
rules-sum-regexes = regexes: { $list }
rules-sum-topics = topics: { $list }
rules-at-once = at once
rules-every-chat = every alert chat
rules-remove-delete = Delete
rules-remove-built-in = Revert to built-in
rules-remove-file = Revert to noc.toml
rules-no-such-rule = No such rule.
rules-is-built-in = This rule is built in: disable it here, or edit it to change it.
rules-is-in-file = This rule comes from noc.toml: disable it here, or remove it from the file.
rules-saved = Rule saved.
rules-updated = Rule updated.
rules-deleted = Rule deleted.
rules-err-too-long = at most { $max } characters
rules-err-too-many = at most { $max } entries
rules-err-digest-kind = only l7 and lease rules send digests
rules-err-checks = a whole number of checks, 1-1000
rules-err-above = a percentage, 0-100
rules-err-percent = a whole percentage, 1-1000
rules-err-chat = { $chat } is not a chat id (a number)
rules-err-channel = { $channel } is not a channel (telegram, whatsapp)
rules-err-exists = a rule of this name exists: edit it instead
rules-err-duration = invalid duration { $value }: use seconds or a number with s, m, h or d ("90s", "2m", "1h")
rules-err-threshold = invalid threshold { $value }: use a percentage ("10%") or bytes ("64M", "1G")
rules-err-severity = unknown severity { $value } (info, warning or critical)
rules-err-kind = unknown rule kind { $value } (unreachable, cpu, memory, disk, interface, queue, l7, lease, address-list or log)
rules-err-state = unknown link state { $value } (down or up)

## Alert texts (written once, in noc's default language)

alert-not-answering = not answering: { $reason }
alert-login-failing = { $router }: login failing
alert-unreachable = { $router } is unreachable
alert-back-up = { $router } is back up (was down { $down })
alert-failed-checks = { $detail } ({ $checks } failed checks)
alert-cpu-detail = CPU load { $load }% (above { $above }%)
alert-memory-detail = free memory { $free } of { $total } ({ $percent }%, below { $below })
alert-disk-detail = free disk { $free } of { $total } ({ $percent }%, below { $below })
alert-cpu-high = CPU load high
alert-memory-low = memory low
alert-disk-low = disk space low
alert-resolved = { $router }: { $what } — resolved
alert-link = { $router }: { $interface } is { $state }
alert-link-again = { $router }: { $interface } is { $state } again
alert-queue-detail = { $percent }% of max-limit { $limit } (rate { $rate })
alert-queue-full = { $router }: queue { $queue } at ≥{ $limit }% of its limit
alert-queue-ok = { $router }: queue { $queue } below { $limit }% again
alert-gone = { $router }: { $subject } is gone — resolved
alert-new-device = { $router }: new device { $host } ({ $mac }) got { $address }
alert-list-added = { $router }: { $address } added to address-list { $list }
alert-comment = comment: { $comment }
alert-log = { $router } log: { $message }
alert-app-started = { $router }: { $host } started { $app }
alert-and-more = and { $count } more
alert-digest-l7-one = { $router }: { $hosts } hosts started { $app } in the last { $every }
alert-other-apps = other apps: { $count }
alert-digest-l7 = { $router }: { $starts } app starts in the last { $every }
alert-digest-lease = { $router }: { $devices } new devices in the last { $every }
alert-burst = { $router }: { $events } { $kind } events in { $window } s, showing the first { $shown }
alert-burst-detail = { $events } more events of rule { $rule } were not sent one by one

## Network health alert texts (written once, in noc's default language)

health-device-up = { $device } is back up
health-device-down = { $device } is down
health-device-down-detail = { $checks } failed checks from { $router }
health-device-down-behind = { $device } is down: { $count } houses behind it
health-device-down-behind-detail = { $device } and the { $count } devices behind it stopped answering the router's checks
health-route-inactive = the default route is inactive
health-targets-silent = the gateway and every public target stopped answering
health-isp-down = { $router }: ISP down
health-isp-down-detail = the router is up, its uplink is dead: { $why }
health-isp-up = { $router }: ISP back up
health-quota-new-month = { $router } { $interface }: a new quota month started
health-quota-used = { $router } { $interface }: { $percent }% of the monthly quota used
health-quota-used-detail = { $used } of { $quota } since the reset on day { $day }
health-public-address = { $router }: public address { $old } → { $new }

## WhatsApp settings

settings-wa-title = WhatsApp settings
settings-wa-is = WhatsApp is
settings-state-official = on: alerts and commands through the WhatsApp Cloud API
settings-state-gateway = on: alerts only, through the gateway in noc.toml
settings-state-failed = off: it could not start (check the settings and the access token; the log says why)
settings-state-off = off
settings-saved-by = Last saved by { $user } at { $time } UTC. These settings replace the [whatsapp] section of noc.toml.
settings-from-file = Showing the [whatsapp] section of noc.toml. Once you save here, these settings replace it.
settings-no-file = noc.toml has no [whatsapp] section: set WhatsApp up here.
settings-at-once = Saved settings take effect at once; no restart is needed.
settings-gateway-note = noc.toml sends WhatsApp through an unofficial gateway: alerts only, and the Cloud API settings below are not used while it is set.
settings-enabled = Enabled
settings-phone-number-id = Phone number id
settings-api-url = API address
settings-verify-token = Webhook verify token
settings-verify-token-hint = a long random word
settings-template = Alert template
settings-template-language = Template language
settings-utc-offset = Local time (UTC offset)
settings-token = Access token
settings-keep = leave empty to keep
settings-remove-secret = remove it from this page
settings-app-secret = App secret
settings-numbers = Numbers
settings-numbers-intro = Only these numbers may use the bot, with their role. Quiet hours hold back alerts that are not critical (for example 22:00-07:00). Leave a number empty to remove it.
settings-number-n = Number { $n }
settings-add-number = Add a number
settings-number = Number
settings-role = Role
settings-quiet = Quiet hours
settings-gets-alerts = Gets alerts
settings-save = Save
settings-test-heading = Send a test message
settings-test-to = To
settings-test-send = Send test message
settings-test-note = It goes through the WhatsApp outbox like an alert.
settings-test-first = Turn WhatsApp on and list a number first.
settings-secret-page = set on this page
settings-secret-env = set (from { $variable })
settings-secret-unset = not set
settings-not-saved = Nothing was saved: correct the fields marked below.
settings-saved-nothing = Saved; nothing changed.
settings-saved = { $count ->
    [one] Saved 1 change. They are in force now.
   *[other] Saved { $count } changes. They are in force now.
}
settings-test-off = WhatsApp is off, so nothing was sent. Save working settings first.
settings-test-choose = Choose one of the numbers.
settings-test-unlisted = Only numbers listed below can get a test message.
settings-test-title = noc test message
settings-test-text = WhatsApp alerts work. Sent by { $user } from the Settings page.
settings-test-queued = Test message queued for { $number }.
settings-test-not-queued = The message could not be queued: { $error }
settings-err-id-needed = Needed to send: the number's id from Meta's API Setup page.
settings-err-id-digits = Digits only: the id from Meta's API Setup page, not the phone number.
settings-err-api-url = A web address starting with https:// (leave empty for Meta's).
settings-err-verify-token = One word without spaces, at most 200 characters.
settings-err-template = Template names use lower-case letters, digits and _.
settings-err-language = A language code such as id, en or en_US.
settings-err-utc-offset = invalid UTC offset { $value }: use "+07:00" (for example +07:00)
settings-err-number-twice = This number is listed twice.
settings-err-number = An international number, such as +62 812 3456 7890.
settings-err-role = admin, operator or read-only.
settings-err-quiet = Like 22:00-07:00, or empty.
rules-err-name = configuration error: rule { $name }: a name needs 1-64 letters, digits, '-' or '_' (it is typed in /mute)
rules-err-log-needs = configuration error: rule { $name }: a log rule needs `keywords` or `regexes`
rules-err-empty-keyword = configuration error: rule { $name }: empty keyword

# The daily hotspot sales summary (an alert).
alert-sales-summary = Sales { $date }: { $count } vouchers, Rp { $total }
alert-sales-router = { $router }: { $count } vouchers, Rp { $total }
