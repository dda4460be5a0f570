# The chat bot (Telegram, WhatsApp, console).

chat-no-router-called = Tidak ada router bernama { $name }.

## Command descriptions (/help)

chat-cmd-status = semua router: up/down, uptime, CPU, RAM, disk
chat-cmd-resource = sumber daya satu router
chat-cmd-interfaces = interface, link dan rate
chat-cmd-queues = antrean teratas menurut rate
chat-cmd-top = pemakai terbesar menurut rate antrean
chat-cmd-queue = satu antrean: rate vs batas
chat-cmd-limit = ubah max-limit antrean (admin)
chat-cmd-enable = aktifkan antrean (admin)
chat-cmd-disable = nonaktifkan antrean (admin)
chat-cmd-l7 = deteksi Layer 7 terbaru
chat-cmd-leases = perangkat terbaru (DHCP lease)
chat-cmd-ping = ping dari router (jumlah 1-10)
chat-cmd-log = baris log terbaru
chat-cmd-voucher = buat voucher hotspot (operator)
chat-cmd-sales = penjualan hotspot
chat-cmd-hotspot = siapa yang login di hotspot
chat-cmd-customer = saldo dan tagihan pelanggan
chat-cmd-unpaid = yang belum bayar, terbesar dulu
chat-cmd-paid = catat pembayaran (operator; konfirmasi dengan ok)
chat-cmd-isolate = isolir pelanggan (admin)
chat-cmd-restore = buka isolir pelanggan (admin)
chat-cmd-devices = perangkat dipantau: up/down, latensi
chat-cmd-adddevice = pantau perangkat (operator)
chat-cmd-deldevice = berhenti memantau (operator)
chat-cmd-isp = jalur ISP: loss, latensi
chat-cmd-quota = kuota WAN bulan ini
chat-cmd-public = alamat IP publik
chat-cmd-diagnose = kenapa internet rumah lambat
chat-cmd-alerts = peringatan yang masih aktif
chat-cmd-mute = bisukan peringatan aturan (atau: /mute ATURAN off)
chat-cmd-lang = bahasa chat ini (id atau en)
chat-cmd-help = daftar ini

## Common

chat-too-long = Perintahnya terlalu panjang.
chat-usage = Cara pakai:
chat-unknown-command = Perintah /{ $name } tidak dikenal. Coba /help.
chat-no-router = Belum ada router yang diatur.
chat-not-connected = { $name } sedang tidak terhubung.
chat-and-more = … dan { $count } lagi
chat-say-which = Sebutkan yang mana, mis.
chat-ambiguous-routers = Beberapa router cocok dengan { $query }:
chat-ambiguous-queues = Beberapa antrean cocok dengan { $query }:
chat-ambiguous-customers = Beberapa pelanggan cocok dengan { $query }:
chat-ambiguous-devices = Beberapa perangkat cocok dengan { $query }:
chat-commands-start = Perintah diawali /. Coba /help.
chat-console-hello = konsol bot noc: ketik /help (Ctrl-D untuk keluar)
chat-help-title = Perintah
chat-help-names = Nama boleh berspasi; sebagian nama sudah cukup;
chat-help-at = memilih router.
chat-help-times = Waktu dalam { $zone }.
chat-ph-name = NAMA
chat-ph-amount = JUMLAH
chat-ph-profile = PROFIL
chat-ph-rule = ATURAN
chat-ph-parent = [induk]
chat-ph-count = [jumlah]
chat-ph-filter = [filter]
chat-ph-keyword = [kata]
chat-state-connecting = menyambung
chat-state-up = up
chat-state-slow = lambat
chat-state-down = down

## /lang

chat-lang-current = Chat ini memakai { $name }. Untuk mengganti: /lang id atau /lang en. Pilihan: { $choices }.
chat-lang-unknown = Bahasa { $word } tidak dikenal. Pilihan: { $choices }.
chat-lang-set = ✅ Chat ini sekarang memakai { $name }.

## Queues

chat-on-router = di { $router }
chat-no-queue-matches = Tidak ada antrean yang cocok dengan { $filter }{ $on }.
chat-no-queues = Tidak ada antrean{ $on }.
chat-th-host = host
chat-th-rtr = rtr
chat-th-queue = antrean
chat-th-down = turun
chat-th-up = naik
chat-th-use = pakai
chat-top-title = Pemakai terbesar
chat-queues-title = Antrean
chat-queues-by-rate = menurut rate ({ $shown } dari { $total })
chat-no-queue-called = Tidak ada antrean bernama { $name }.
chat-row-router = router
chat-row-target = target
chat-row-rate = rate
chat-rate-up-down = naik { $up } / turun { $down }
chat-row-use = pakai
chat-row-bytes = byte
chat-row-dropped = drop
chat-row-state = status
chat-disabled = nonaktif
chat-enabled = aktif
chat-row-comment = komentar
chat-queue-title = Antrean { $name }
chat-not-applied = Tidak diterapkan: { $why }
chat-nothing-to-change = Tidak ada yang diubah: { $name } sudah begitu.
chat-failed = Gagal: { $why }
chat-applied-on = Diterapkan di { $router }:
chat-router-refused = Router menolak: { $why }
chat-needs-admin-readonly = Maaf, /{ $what } butuh admin; akses Anda hanya baca.

## Routers

chat-status-line1 = { $state }, uptime { $uptime }
chat-status-line2 = cpu { $cpu } ram { $ram } disk { $disk }
chat-th-router = router
chat-th-state = status
chat-th-uptime = uptime
chat-th-disk = disk
chat-routers-title = Router
chat-routers-up-not = { $up } up, { $down } tidak
chat-no-figures = Belum ada angka.
chat-row-board = board
chat-row-version = versi
chat-row-uptime = uptime
chat-row-memory = memori
chat-row-disk = disk
chat-row-poll = poll
chat-free-of = { $free } sisa dari { $total }
chat-link-off = mati
chat-no-interfaces = belum ada interface yang diketahui.
chat-interfaces-title = interface
chat-th-name = nama
chat-th-link = link
chat-no-leases = tidak ada DHCP lease.
chat-leases-title = lease ({ $shown } terbaru dari { $total })
chat-th-address = alamat
chat-th-status = status
chat-ping-failed = ping gagal: { $why }
chat-ping-summary = kirim { $sent }, terima { $received }, loss { $loss }%
chat-ping-avg = , rata-rata { $avg }
chat-from-router = dari { $router }
chat-th-time = waktu
chat-log-no-match = Tidak ada baris log yang menyebut { $keyword }.
chat-log-empty = Log kosong.
chat-router-clock = (jam router)

## Alerts

chat-no-l7 = Belum ada deteksi Layer 7{ $on }.
chat-th-app = aplikasi
chat-l7-title = Deteksi Layer 7 terbaru
chat-times-in = (waktu { $zone })
chat-no-open-alerts = Tidak ada peringatan aktif. ✅
chat-open-alerts-title = Peringatan aktif
chat-open-alerts-count = ({ $count }, waktu { $zone })
chat-since = sejak { $time }
chat-muted-until = { $rule } dibisukan sampai { $until } oleh { $by }
chat-no-rule-called = Tidak ada aturan bernama { $name }. Aturan: { $rules }, all.
chat-unmuted = Peringatan { $rule } aktif lagi.
chat-was-not-muted = { $rule } tidak sedang dibisukan.
chat-muted-for = { $rule } dibisukan selama { $span } (sampai { $until }). Peringatan tetap tampil di dashboard.

## Billing

chat-no-such-customer = Pelanggan tidak ditemukan.
chat-no-customer-called = Tidak ada pelanggan bernama { $name }.
chat-isolated = diisolir
chat-exempt = bebas tagihan
chat-balance = Saldo:
chat-secret-day = Secret: { $secret } · tgl { $day }
chat-line-paid = lunas
chat-line-partial = sebagian
chat-line-unpaid = belum bayar
chat-nobody-owes = Tidak ada yang menunggak.
chat-owing = { $count } menunggak
chat-th-customer = pelanggan
chat-th-owes = tunggakan
chat-needs-operator = Maaf, /{ $what } butuh operator atau admin.
chat-needs-admin = Maaf, /{ $what } butuh admin.
chat-amount-error = Jumlah: { $why }
chat-paid-preview = Catat { $amount } dari { $name }?
chat-balance-after = Saldo setelahnya: { $balance }
chat-paid-restores = Internetnya dibuka lagi.
chat-to-record = Untuk mencatat, kirim:
chat-not-recorded = Tidak tercatat: { $why }
chat-paid-recorded = { $amount } dari { $name } tercatat · kuitansi { $receipt }
chat-paid-recorded-already = { $amount } dari { $name } tercatat (sudah) · kuitansi { $receipt }
chat-internet-restored = Internet dibuka lagi.
chat-not-restored-yet = Belum dibuka: { $why } (dicoba lagi di putaran berikut)
chat-customer-router-missing = Router pelanggan ini belum diatur.
chat-not-connected-unknown = { $name } tidak terhubung: tidak ada yang diubah selama statusnya belum jelas.
chat-isolate-preview = Isolir { $name } ({ $secret } di { $router })? Sesinya akan tersambung ulang.
chat-restore-preview = Buka isolir { $name } ({ $secret } di { $router })? Sesinya akan tersambung ulang.
chat-to-do-it = Untuk menjalankan, kirim:
chat-not-done = Gagal: { $why }

## Hotspot

chat-not-made = Gagal dibuat: { $why }
chat-batch-stopped = Router menghentikan pembuatan: { $why }
chat-sales-today = hari ini
chat-sales-month = bulan ini
chat-sales-title = Penjualan { $when }
chat-sales-total = { $count } voucher, Rp { $total }
chat-th-profile = profil
chat-sales-stored-only = (router tak terjangkau: hanya penjualan tersimpan)
chat-nobody-logged-in = Tidak ada yang login di { $router }.
chat-logged-in = { $count } login
chat-th-user = pengguna

## Network health

chat-state-unknown = belum jelas
chat-no-devices-yet = Belum ada perangkat yang dipantau. Tambah:
chat-no-device-matches = Tidak ada perangkat yang cocok.
chat-devices-more = { $count } lagi; tambahkan filter.
chat-devices-title = Perangkat
chat-devices-count = { $total }, { $down } down
chat-th-device-parent = perangkat<induk
chat-adding-needs-operator = Menambah perangkat butuh peran operator atau admin.
chat-removing-needs-operator = Menghapus perangkat butuh peran operator atau admin.
chat-device-added = { $name } ditambahkan; { $router } memantaunya mulai sekarang.
chat-device-added-behind = { $name } ditambahkan di belakang { $parent }; { $router } memantaunya mulai sekarang.
chat-device-removed = { $name } dihapus.
chat-no-such-device = Perangkat tidak ditemukan.
chat-no-device-called = Tidak ada perangkat bernama { $name }.
chat-isp-down = DOWN (router hidup, uplink mati)
chat-not-measured = belum diukur
chat-no-default-route = tidak ada default route
chat-route-via = lewat { $gateway }
chat-route-inactive = (tidak aktif)
chat-th-to = ke
chat-measured = diukur { $time }
chat-no-quota = Belum ada kuota yang diatur ({ $section } di noc.toml) atau dihitung.
chat-quota-title = Kuota bulan ini
chat-th-used = pakai
chat-th-of = dari
chat-public-title = Alamat publik
chat-public-unknown = belum diketahui (/ip/cloud belum punya)
chat-diagnose-title = Diagnosa { $target }
chat-likely-cause = Kemungkinan penyebab: { $cause }
chat-no-problem = Tidak ditemukan masalah.
chat-verdict-problem = MASALAH
chat-only-text = Hanya perintah teks yang dimengerti. Coba /help.

## Around pushed alerts (WhatsApp)

chat-alert-resolved = Pulih:
chat-severity-critical = kritis
chat-severity-warning = peringatan
chat-severity-info = info
chat-alert-quiet-over = Jam tenang selesai
chat-alert-held-back = { $count } peringatan tidak kritis ditahan. /alerts menampilkan yang masih aktif.
chat-refusal = Maaf, nomor ini tidak boleh memakai bot ini. Minta admin jaringan Anda menambahkannya ke noc.
chat-tg-refusal = Maaf, bot ini hanya menjawab admin jaringan. Jika Anda admin, minta untuk ditambahkan (chat id { $chat }{ $user }).
chat-refusal-user = , user id { $id }
