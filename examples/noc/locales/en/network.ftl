# Queues, queue trees, the editors, Layer 7, hotspot, devices.

## The Queues page

queues-title = Queues
queues-no-routers = No routers yet.
queues-heading = Simple queues on { $router }
queues-filter-placeholder = Filter by name, target or comment
queues-filter = Filter
queues-add = Add queue
queues-unit = queues
queues-page-of = page { $page } of { $pages }
queues-live = live, updated every poll
queues-col-name = Name
queues-col-target = Target
queues-col-rate = Rate ↑ / ↓
queues-col-max = Max limit ↑ / ↓
queues-col-use = Use
queues-col-bytes = Bytes ↑ / ↓
queues-col-drops = Drops
queues-col-comment = Comment
queues-disabled = disabled
queues-edit = Edit
queues-previous = ← Previous
queues-next = Next →
queues-no-router = No such router.
queues-no-queue = No such queue on this router.

## One queue

queue-title = Queue { $name }
queue-on = on { $router }
queue-target = Target
queue-parent = Parent
queue-none = none
queue-max-limit = Max limit
queue-rate-now = Rate now
queue-use = Use
queue-bytes = Bytes
queue-comment = Comment
queue-state = State
queue-disabled = disabled
queue-enabled = enabled
queue-dynamic = dynamic
queue-edit = Edit
queue-enable = Enable
queue-disable = Disable
queue-remove = Remove
queue-confirm-disable = Disable queue '{ $name }' on { $router }?
queue-confirm-remove = Remove queue '{ $name }' on { $router }?
queue-done-enabled = Queue '{ $name }' enabled on { $router }.
queue-done-disabled = Queue '{ $name }' disabled on { $router }.
queue-done-removed = Queue '{ $name }' removed on { $router }.
queue-live = Live
queue-upload = upload
queue-download = download
queue-history = History
queue-range-hour = Hour
queue-range-day = Day
queue-range-week = Week
queue-range-year = Year

## The queue editor

editor-title-edit = Edit { $name }
editor-title-add = Add queue
editor-heading-edit = Edit queue { $name }
editor-heading-add = Add a queue
editor-name = Name
editor-target = Target
editor-parent = Parent
editor-none = none
editor-max-limit = Max limit (up/down)
editor-limit-at = Limit at (up/down)
editor-burst-limit = Burst limit
editor-burst-threshold = Burst threshold
editor-burst-time = Burst time
editor-priority = Priority
editor-packet-marks = Packet marks
editor-comment = Comment
editor-disabled = Disabled
editor-checks = Checks
editor-commands = Commands that will be sent
editor-nothing-to-do = nothing to do: the router already has this
editor-refused = The router refused: { $error }
editor-apply = Apply
editor-cancel = Cancel
editor-saved = Saved '{ $name }' on { $router }.
editor-unknown-action = Unknown action.
editor-no-router = no such router
editor-not-connected = { $router } is not connected right now
# $name is quoted already ("q1").
editor-err-no-queue = no queue { $name } on the router
editor-err-name-needed = a queue needs a name
editor-err-name-exists = a queue called { $name } exists
editor-err-target-needed = a queue needs a target (address or interface)

## The Queue Tree page and the "share equally" wizard

trees-title = Queue Tree
trees-no-routers = No routers yet.
trees-heading = Queue Tree on { $router }
trees-show = Show
trees-unit = entries
trees-live = live, updated every poll
trees-add = Add an entry
trees-col-name = Name
trees-col-parent = Parent
trees-col-packet-mark = Packet mark
trees-col-queue = Queue
trees-col-rate = Rate
trees-col-max = Max limit
trees-col-use = Use
trees-col-bytes = Bytes
trees-col-drops = Drops
trees-col-comment = Comment
trees-disabled = disabled
trees-edit = Edit
trees-empty = No queue tree entries.
trees-no-entry = No such queue tree entry on this router.
trees-share-heading = Share the link equally
trees-share-intro = Everyone on the LAN gets an equal share of the download and of the upload (PCQ with pcq-rate=0);
    what one user leaves unused goes to the others. The wizard adds three mangle rules (first in the list, so every LAN
    packet is marked once), two PCQ queue types and two queue trees, and replaces them when run again.
trees-share-down = Download (Mbps)
trees-share-up = Upload (Mbps)
trees-share-lan = LAN addresses
trees-share-wan = WAN interface
trees-share-lan-interface = LAN interface
trees-share-parent = Trees under
trees-share-parent-interfaces = the WAN and LAN interfaces
trees-share-preview = Preview
trees-field-download = download
trees-field-upload = upload
trees-field-wan = WAN interface
trees-field-lan = LAN interface
trees-err-mbps = { $field }: `{ $value }` is not a number of Mbps
trees-err-mbps-range = { $field }: between 0 and 100000 Mbps
trees-err-word = { $field }: one word without spaces
trees-err-lan = LAN: `{ $value }` is not an IPv4 address or network
trees-err-parent = parent: `{ $value }` is neither global nor interfaces

## One queue tree entry and its editor

tree-title = Queue tree { $name }
tree-parent = Parent
tree-packet-mark = Packet mark
tree-queue-type = Queue type
tree-max-limit = Max limit
tree-limit-at = Limit at
tree-edit = Edit
tree-remove = Remove
tree-legend-rate = rate
tree-back = Back to the queue tree
tree-edit-title-remove = Remove { $name }
tree-edit-title-edit = Edit { $name }
tree-edit-title-add = Add a queue tree entry
tree-edit-remove-before = The entry
tree-edit-remove-after = and its settings are removed from the router. Entries under it lose their parent.
tree-edit-name = Name
tree-edit-parent-hint = global, ether1 or another entry
tree-edit-limit-at-hint = 0 (none)
tree-edit-max-limit-hint = 10M, 0 = unlimited
tree-edit-priority = Priority (1–8)
tree-edit-burst-limit-hint = 0 (no burst)
tree-edit-check = Check
tree-edit-remove-entry = Remove this entry…
tree-edit-removed = Removed '{ $name }' from { $router }.
tree-edit-added = Added '{ $name }' on { $router }.
# $name is quoted already ("t1").
tree-edit-err-no-entry = no queue tree entry { $name } on the router
tree-edit-err-choose-remove = choose the entry to remove
tree-edit-err-name-needed = an entry needs a name
tree-edit-err-name-exists = an entry called { $name } exists
tree-edit-err-parent-needed = choose global, an interface or another entry
tree-edit-err-own-parent = an entry cannot be its own parent

## Layer 7

l7-title = Layer 7
l7-col-protocol = Protocol
l7-col-pattern = Pattern
l7-col-lint = Lint
l7-col-hits = Hits
l7-col-feeds = Feeds queues
l7-clean = clean
l7-packets = { $packets } packets
l7-empty = No Layer 7 protocols on this router.
l7-test-heading = Test a pattern
l7-test-pattern = Pattern (empty: all of this router's protocols)
l7-test-text = Payload text
l7-test-run = Test
l7-test-pcap = or a capture file (pcap, pcapng)
l7-test-upload = Upload
l7-test-pattern-name = (pattern)
l7-activity = Activity
l7-col-time = Time (UTC)
l7-col-host = Host
l7-col-app = App
l7-col-rule = Rule
l7-no-capture = no capture file in the form (field `pcap`)
l7-pcap-failed = pcap analysis failed
l7-patterns-broken = the router's patterns do not compile: { $error }

## Hotspot

hotspot-title = Hotspot
hotspot-active-link = Active sessions
hotspot-vouchers-link = All vouchers
hotspot-sales-link = Sales
hotspot-profiles = Profiles
hotspot-col-profile = Profile
hotspot-col-price = Price
hotspot-col-selling = Selling
hotspot-col-validity = Validity
hotspot-col-expiry = Expiry
hotspot-col-rate-limit = Rate limit
hotspot-col-shared = Shared
hotspot-no-profiles = No hotspot user profiles on this router.
hotspot-generate-heading = Generate vouchers
hotspot-how-many = How many (1–{ $max })
hotspot-code-length = Code length
hotspot-prefix = Prefix
hotspot-kind = Kind
hotspot-kind-voucher = voucher (code = password)
hotspot-kind-user = user + password
hotspot-note = Note
hotspot-generate = Generate
hotspot-profile-heading = Add or change a profile
hotspot-name = Name
hotspot-selling-price = Selling price
hotspot-selling-price-hint = (the price)
hotspot-validity-hint = 1d, 12h, 30d (empty: none)
hotspot-at-expiry = At expiry
hotspot-expiry-remc = remove, record sales
hotspot-expiry-rem = remove
hotspot-expiry-ntfc = limit to 1s, record sales
hotspot-expiry-ntf = limit to 1s
hotspot-rate-limit-hint = 1M/2M (upload/download)
hotspot-shared-users = Shared users
hotspot-mac-lock = Lock to the first device
hotspot-save-profile = Save profile
hotspot-mikhmon-note = Profiles carry MIKHMON's on-login header, so MIKHMON and noc read the same price and validity.
hotspot-no-router = No such router.
hotspot-profile-saved = Profile '{ $name }' saved on { $router }.
hotspot-field-price = Price
hotspot-field-selling-price = Selling price
hotspot-err-amount = { $field }: a whole amount like 5000 or 5.000 (no decimals, at most 12 digits)
hotspot-err-too-large = { $field }: too large
hotspot-err-name = Name: 1 to 64 printable characters.
hotspot-err-validity = Validity: a duration like 30d, 12h or 5h30m (empty: no expiry).
hotspot-err-expiry = Expiry: rem, ntf, remc or ntfc.
hotspot-err-rate-limit = Rate limit: { $error } (upload/download, like 1M/2M)
hotspot-err-shared-users = Shared users: 1 to 100.
hotspot-err-count = How many: 1 to { $max }.
hotspot-err-length = Code length: 3 to 8.
hotspot-err-prefix = Prefix: letters and digits only.
hotspot-err-batch-stopped = The router stopped the batch after { $added } vouchers: { $error }. They are listed under batch { $batch }.
hotspot-sessions-title = Hotspot sessions
hotspot-col-user = User
hotspot-col-address = Address
hotspot-col-bytes = Bytes
hotspot-confirm-kick = End { $user }'s session on { $router }?
hotspot-kick = Kick { $user }
hotspot-no-sessions = Nobody is logged in.
hotspot-kicked = Session ended on { $router }.
hotspot-sales-month = Month
hotspot-sales-harvest = Read from the router: { $new } new records, { $known } already stored
hotspot-sales-skipped = , { $skipped } unreadable (skipped)
hotspot-sales-error = Could not read the router's records ({ $error }); showing what is stored.
hotspot-sales-vouchers = vouchers
hotspot-sales-per-day = Per day
hotspot-sales-per-profile = Per profile
hotspot-sales-none = No sales in this period.

## Voucher batches and the printed voucher sheet

voucher-title = Vouchers
voucher-batch = batch
voucher-print = Print:
voucher-print-small = small
voucher-print-thermal = 58 mm thermal
voucher-confirm-remove-unused = Remove the { $unused } unused vouchers of { $batch } from { $router }?
voucher-remove-unused = Remove the { $unused } unused vouchers of { $batch }
voucher-col-code = Code
voucher-col-state = State
voucher-col-uptime = Uptime
voucher-col-comment = Comment
voucher-state-unused = unused
voucher-state-used = used
voucher-state-active = active
voucher-state-expired = expired
voucher-none = No vouchers.
voucher-sheet-title = Vouchers { $batch }
voucher-sheet-back = ← back
voucher-sheet-unused = { $count } unused vouchers
voucher-sheet-qr = QR opens { $url }
voucher-sheet-change = change with
voucher-sheet-print = print with Ctrl-P
voucher-password = password
voucher-sheet-none = No unused vouchers in this batch.

## Devices

devices-title = Devices
devices-checked-by = Checked by the router itself
devices-behind-note = a device behind a parent is listed under it.
devices-summary = { $count } devices, { $down } down
devices-col-device = Device
devices-col-address = Address
devices-col-state = State
devices-col-last-checks = Last checks
devices-spark-title = latency of the last { $checks } checks; { $failed } failed
devices-diagnose = Diagnose
devices-remove = Remove
devices-none = No devices yet.
devices-add-heading = Add a device
devices-name = Name
devices-address = IP or MAC address
devices-parent = Behind (parent)
devices-parent-none = none
devices-router = Router
devices-preview = Preview
devices-refused = Only admins and operators add or remove devices.
devices-no-router = No such router.
devices-no-device = No such device.
devices-added = Device added.
devices-removed = Device removed.
devices-confirm-add = Add { $name }
devices-confirm-remove = Remove { $name }
devices-confirm-on = on { $router }
devices-confirm-on-behind = on { $router }, behind { $parent }
devices-confirm-remove-note = Devices behind it are listed on their own from then on.
devices-confirm-router-gets = The router will get:
devices-mac-host = (the address the router's ARP/DHCP tables give { $address })
devices-entry-with = the entry with

## Diagnose: the page, and the checks' texts (also in chat)

diagnose-title = Diagnose { $name }
diagnose-where = { $address } on { $router }; checked just now, in this order.
diagnose-address-unknown = address unknown
diagnose-likely-cause = Likely cause: { $cause }
diagnose-no-problem = No problem found.
diagnose-again = Again
diagnose-check-router = Router
diagnose-check-isp = ISP
diagnose-check-quota = Quota
diagnose-check-device = Device
diagnose-check-parent = Parent
diagnose-check-queue = Queue
diagnose-check-uplink = Uplink
diagnose-check-cpu = CPU
diagnose-verdict-ok = ok
diagnose-verdict-problem = problem
diagnose-verdict-unknown = unknown
diagnose-router-answers = { $router } answers
diagnose-router-silent = { $router } does not answer: { $why }
diagnose-not-polled = not polled yet
diagnose-router-off = router not reachable
diagnose-uplink-route-inactive = uplink dead: the default route is inactive
diagnose-uplink-dead = uplink dead: the gateway and the Internet do not answer
diagnose-isp-down = ISP down: { $host } does not answer
# $gateway is diagnose-isp-lossy-gateway or nothing.
diagnose-isp-lossy = ISP lossy: { $loss }% loss to { $host }{ $gateway } ({ $avg } avg)
diagnose-isp-lossy-gateway = , { $loss }% to the gateway
diagnose-isp-slow = ISP slow: { $avg } to { $host }
diagnose-isp-ok = { $loss }% loss, { $avg } to { $host }
diagnose-isp-no-ping = no ping to a public target came back in time
diagnose-quota-none = no quota configured or counted yet
diagnose-quota-used-up = { $interface } quota used up: { $used } of { $quota } ({ $percent }%)
diagnose-ping-silent = { $name } does not answer the router's ping (off?)
diagnose-ping-lossy = { $name }: { $loss }% loss, { $avg }
diagnose-ping-ok = { $name } answers, { $avg }
diagnose-ping-down = { $name } is down (netwatch)
diagnose-ping-none = no ping result from { $name }
diagnose-device-unwatched = not a watched device
diagnose-no-parent = no parent device
diagnose-queue-none = no simple queue targets this device
diagnose-queue-full = queue { $name } at max-limit ({ $percent }%) for { $span }
diagnose-queue-ok = queue { $name } at { $percent }% of max-limit
diagnose-uplink-unset = uplink_capacity not configured
diagnose-uplink-no-rate = no WAN interface rate
diagnose-uplink-saturated = uplink saturated: { $down }% down, { $up }% up
diagnose-uplink-ok = { $down }% down, { $up }% up
diagnose-cpu-none = no resource figures
diagnose-cpu-high = router CPU at { $cpu }%
