# Overview, alerts, alert rules, routers, users, audit log, settings, login.

## Overview

overview-title = Ringkasan
overview-open-alerts = Peringatan aktif
overview-all-alerts = Semua peringatan
overview-embedded = simulator bawaan
overview-ram = RAM terpakai
overview-disk = Disk terpakai
overview-uptime = Uptime
overview-version = Versi
overview-queues = Antrean
overview-simple-queues = simple queue
overview-poller = Poller
overview-polls = { $ok } ok / { $failed } gagal
overview-last-poll = poll terakhir
overview-isp-quota = ISP dan kuota
overview-isp-down = ISP putus
overview-isp-down-detail = router hidup, uplink mati
overview-isp-up = ISP normal
overview-isp-unmeasured = ISP belum diukur
overview-via = lewat { $gateway }
overview-on = di { $interface }
overview-public = IP publik { $address }
overview-devices = { $count ->
   *[other] { $count } perangkat
}
overview-devices-down = { $count ->
   *[other] { $count } mati
}
overview-ping-to = Ke
overview-ping-loss = Loss
overview-quota = { $interface } bulan ini ({ $period }): { $used } dari { $quota },
    terpakai { $percent }% dengan { $elapsed }% bulan sudah lewat
overview-quota-bar = { $percent }% kuota terpakai, { $elapsed }% bulan sudah lewat
overview-interfaces = Interface
overview-if-name = Nama
overview-if-type = Tipe
overview-if-link = Link
overview-live-chart = Grafik langsung
overview-no-routers = Belum ada router. Tambahkan di halaman
overview-no-routers-end = .
overview-stale-since = Tidak live: tidak ada jawaban sejak { $time } UTC. Angka di bawah adalah data terakhir.
overview-stale-never = Tidak live: belum pernah terhubung.

## Alerts

alerts-title = Peringatan
alerts-rules-link = Aturan peringatan
alerts-quick-label = Peringatan aktif per tingkat
alerts-quick-open = Aktif:
alerts-quick-critical = kritis
alerts-quick-warnings = waspada
alerts-quick-info = info
alerts-quick-all = semua
alerts-severity = Tingkat
alerts-any = semua
alerts-sev-critical = kritis
alerts-sev-warning = waspada
alerts-sev-info = info
alerts-state = Status
alerts-state-open = aktif
alerts-state-resolved = selesai
alerts-resolved-at = selesai { $time }
alerts-text = Teks
alerts-filter = Saring
alerts-count = peringatan
alerts-confirm-ack-all = Tandai sudah dilihat semua peringatan aktif di saringan ini ({ $count })?
alerts-ack-all = Tandai semua dilihat
alerts-ack-all-note = semua peringatan aktif di saringan ini yang belum ditandai, di semua halaman
alerts-alert = Peringatan
alerts-first = Pertama
alerts-last = Terakhir
alerts-times = Jumlah
alerts-acked-by = dilihat oleh { $user }
alerts-ack = Tandai dilihat
alerts-none = Tidak ada peringatan.
alerts-newer = Lebih baru
alerts-older = Lebih lama
alerts-page = halaman { $page } dari { $pages }
alerts-resolved-no-ack = Peringatan yang sudah selesai tidak perlu ditandai.
alerts-nothing-to-ack = Tidak ada yang perlu ditandai.
alerts-acked = { $count ->
   *[other] { $count } peringatan ditandai dilihat.
}

## Alert rules

rules-title = Aturan peringatan
rules-intro = Aturan berasal dari noc.toml (aturan bawaan jika kosong) dan dari halaman ini. Aturan yang disimpan di sini menggantikan aturan noc.toml atau bawaan dengan nama yang sama; menghapusnya mengembalikan versi itu. Perubahan langsung berlaku.
rules-back = Kembali ke peringatan
rules-name = Nama
rules-kind = Jenis
rules-fires-on = Terpicu saat
rules-for = Selama
rules-checks = Cek
rules-severity = Tingkat
rules-chats = Chat
rules-routers = Router
rules-source = Sumber
rules-state = Status
rules-hold-note = tetap aktif { $hold } setelah kejadian terakhir
rules-enabled = aktif
rules-disabled = nonaktif
rules-edit = Ubah
rules-disable = Nonaktifkan
rules-enable = Aktifkan
rules-confirm-delete = Hapus aturan peringatan '{ $name }'?
rules-none = Belum ada aturan.
rules-edit-title = Ubah aturan { $name }
rules-add-title = Tambah aturan
rules-f-checks = Cek (unreachable)
rules-f-above = CPU di atas % (cpu)
rules-f-below = Sisa di bawah (memory, disk)
rules-p-below = 10% atau 64M
rules-f-percent = % dari max-limit (queue)
rules-f-queues = Antrean (queue)
rules-p-queues = semua antrean berbatas
rules-f-interfaces = Interface (interface)
rules-p-interfaces = interface yang pernah running
rules-f-state = Status link (interface)
rules-f-apps = Aplikasi (l7)
rules-p-all = semua
rules-f-lists = Address list (address-list)
rules-f-keywords = Kata kunci (log, satu per baris)
rules-f-regexes = Regex (log, satu per baris)
rules-f-topics = Topik (log)
rules-p-any = apa saja
rules-f-hold = Tahan (kejadian)
rules-f-digest = Ringkasan chat tiap (l7, lease)
rules-p-digest = 10m; 0 kirim tiap kejadian
rules-p-chats = semua chat peringatan
rules-f-channels = Kanal
rules-p-channels = telegram, whatsapp (keduanya)
rules-f-enabled = Aktif
rules-save = Simpan
rules-add = Tambah
rules-cancel = Batal

## Users

users-title = Pengguna
users-name = Nama
users-role = Peran
users-language = Bahasa
users-language-browser = browser
users-confirm-delete = Hapus pengguna
users-confirm-delete-end = ? Sesinya langsung berakhir.
users-delete = Hapus
users-new-password = kata sandi baru
users-set-password = Ganti kata sandi
users-add-title = Tambah pengguna
users-password = Kata sandi
users-role-operator-vouchers = operator (jual voucher)
users-add = Tambah
users-tokens-title = Token API
users-tokens-intro = Untuk payment gateway dan skrip:
users-tokens-on = di
users-tokens-readme = (lihat README). Token bisa melakukan apa yang boleh oleh perannya.
users-token-new = Token baru (hanya tampil sekali, salin sekarang):
users-token-by = oleh { $user }
users-token-last-used = terakhir dipakai { $time }
users-confirm-revoke = Cabut token API '{ $name }'? Apa pun yang memakainya berhenti bekerja.
users-revoke = Cabut
users-no-tokens = Belum ada token API.
users-token-placeholder = payment gateway
users-role-operator-payments = operator (mencatat pembayaran)
users-role-admin-customers = admin (menambah pelanggan)
users-make-token = Buat token
users-token-name-invalid = Nama token 1 sampai 64 karakter yang bisa dicetak.
users-name-invalid = Nama pengguna 1 sampai 64 karakter yang bisa dicetak.
users-password-short = Kata sandi minimal 8 karakter.
users-cannot-delete-self = Anda tidak bisa menghapus diri sendiri.
users-no-such-user = Pengguna tidak ditemukan.
users-token-revoked = Token API #{ $id } dicabut.
users-added = Pengguna ditambahkan.
users-deleted = Pengguna dihapus.
users-password-changed = Kata sandi diganti.

## Routers

routers-title = Router
routers-name = Nama
routers-address = Alamat
routers-user = User
routers-from = Dari
routers-status = Status
routers-tls-pinned = ya, dipin { $fingerprint }
routers-tls-no = tidak
routers-confirm-remove = Hapus router '{ $name }' ({ $address }) dari noc? Router-nya sendiri tidak diubah.
routers-remove = Hapus
routers-edit = Ubah { $name }
routers-port = Port
routers-fingerprint = Sidik jari SHA-256 sertifikat
routers-password = Kata sandi
routers-unchanged = tidak diubah
routers-save = Simpan dan sambung ulang
routers-add-title = Tambah router
routers-port-placeholder = 8728 (8729 dengan TLS)
routers-fingerprint-placeholder = wajib dengan TLS
routers-password-note = Kata sandi disimpan terenkripsi dan tidak pernah ditampilkan lagi.
routers-add = Tambah
routers-not-a-port = { $port } bukan port
routers-required = Nama, alamat dan user wajib diisi.
routers-no-such-router = Router tidak ditemukan.
routers-from-config = { $name } berasal dari noc.toml: ubah di sana (dibaca saat start).
routers-port-invalid = Port: { $port } bukan port (1-65535)
routers-address-user-required = Alamat dan user wajib diisi.
routers-saved = Router '{ $name }' disimpan; menyambung ulang.
routers-added = Router ditambahkan.
routers-removed = Router dihapus.

## Audit log

audit-title = Log audit
audit-user = Pengguna
audit-action = Aksi
audit-text = Teks
audit-filter = Saring
audit-entries = entri
audit-time = Waktu (UTC)
audit-router = Router
audit-detail = Detail
audit-result = Hasil
audit-ok = ok
audit-failed = gagal
audit-none = Belum ada.
audit-newer = Lebih baru
audit-older = Lebih lama
audit-page = halaman { $page } dari { $pages }

## Login

login-title = Masuk
login-user = User
login-password = Kata sandi
login-submit = Masuk
login-wrong = Nama user atau kata sandi salah.
login-too-many = Terlalu banyak login gagal. Tunggu { $wait } lalu coba lagi.
login-wait-minute = satu menit
login-wait-minutes = { $minutes } menit
login-busy = Terlalu banyak login bersamaan. Coba lagi sebentar.
login-failed = Login gagal di server.

## Alert rules: what a rule fires on, field errors

rules-sum-each-event = ; chat: tiap kejadian
rules-sum-digest = ; chat: ringkasan tiap { $every }
rules-sum-unreachable = mati setelah { $checks } cek gagal
rules-sum-cpu = di atas { $above }%
rules-sum-free-below = sisa di bawah { $below }
rules-sum-interface = { $state }: { $interfaces }
rules-sum-queue = ≥ { $percent }% dari max-limit: { $queues }
rules-sum-every-queue = semua antrean berbatas
rules-sum-apps = aplikasi: { $apps }
rules-sum-lease = lease DHCP baru
rules-sum-lists = list: { $lists }
rules-sum-keywords = kata kunci: { $list }
rules-sum-regexes = regex: { $list }
rules-sum-topics = topik: { $list }
rules-at-once = langsung
rules-every-chat = semua chat peringatan
rules-remove-delete = Hapus
rules-remove-built-in = Kembalikan ke bawaan
rules-remove-file = Kembalikan ke noc.toml
rules-no-such-rule = Aturan tidak ditemukan.
rules-is-built-in = Aturan ini bawaan: nonaktifkan di sini, atau ubah untuk menggantinya.
rules-is-in-file = Aturan ini dari noc.toml: nonaktifkan di sini, atau hapus dari file.
rules-saved = Aturan disimpan.
rules-updated = Aturan diperbarui.
rules-deleted = Aturan dihapus.
rules-err-too-long = maksimal { $max } karakter
rules-err-too-many = maksimal { $max } entri
rules-err-digest-kind = hanya aturan l7 dan lease yang mengirim ringkasan
rules-err-checks = jumlah cek bilangan bulat, 1-1000
rules-err-above = persentase, 0-100
rules-err-percent = persentase bulat, 1-1000
rules-err-chat = { $chat } bukan id chat (angka)
rules-err-channel = { $channel } bukan kanal (telegram, whatsapp)
rules-err-exists = sudah ada aturan dengan nama ini: ubah saja
rules-err-duration = durasi { $value } tidak valid: pakai detik atau angka dengan s, m, h atau d ("90s", "2m", "1h")
rules-err-threshold = batas { $value } tidak valid: pakai persen ("10%") atau byte ("64M", "1G")
rules-err-severity = tingkat { $value } tidak dikenal (info, warning atau critical)
rules-err-kind = jenis aturan { $value } tidak dikenal (unreachable, cpu, memory, disk, interface, queue, l7, lease, address-list atau log)
rules-err-state = status link { $value } tidak dikenal (down atau up)

## Alert texts (written once, in noc's default language)

alert-not-answering = tidak menjawab: { $reason }
alert-login-failing = { $router }: login gagal
alert-unreachable = { $router } tidak bisa dihubungi
alert-back-up = { $router } sudah hidup lagi (mati { $down })
alert-failed-checks = { $detail } ({ $checks } cek gagal)
alert-cpu-detail = beban CPU { $load }% (di atas { $above }%)
alert-memory-detail = memori sisa { $free } dari { $total } ({ $percent }%, di bawah { $below })
alert-disk-detail = disk sisa { $free } dari { $total } ({ $percent }%, di bawah { $below })
alert-cpu-high = beban CPU tinggi
alert-memory-low = memori hampir habis
alert-disk-low = disk hampir penuh
alert-resolved = { $router }: { $what } — selesai
alert-link = { $router }: { $interface } { $state }
alert-link-again = { $router }: { $interface } { $state } lagi
alert-queue-detail = { $percent }% dari max-limit { $limit } (rate { $rate })
alert-queue-full = { $router }: antrean { $queue } di ≥{ $limit }% dari batasnya
alert-queue-ok = { $router }: antrean { $queue } di bawah { $limit }% lagi
alert-gone = { $router }: { $subject } sudah hilang — selesai
alert-new-device = { $router }: perangkat baru { $host } ({ $mac }) dapat { $address }
alert-list-added = { $router }: { $address } masuk address-list { $list }
alert-comment = komentar: { $comment }
alert-log = log { $router }: { $message }
alert-app-started = { $router }: { $host } mulai membuka { $app }
alert-and-more = dan { $count } lainnya
alert-digest-l7-one = { $router }: { $hosts } host mulai membuka { $app } dalam { $every } terakhir
alert-other-apps = aplikasi lain: { $count }
alert-digest-l7 = { $router }: { $starts } aplikasi dibuka dalam { $every } terakhir
alert-digest-lease = { $router }: { $devices } perangkat baru dalam { $every } terakhir
alert-burst = { $router }: { $events } kejadian { $kind } dalam { $window } detik, yang pertama { $shown } ditampilkan
alert-burst-detail = { $events } kejadian lain dari aturan { $rule } tidak dikirim satu per satu

## Network health alert texts (written once, in noc's default language)

health-device-up = { $device } sudah hidup lagi
health-device-down = { $device } mati
health-device-down-detail = { $checks } cek gagal dari { $router }
health-device-down-behind = { $device } mati: { $count } rumah di belakangnya
health-device-down-behind-detail = { $device } dan { $count } perangkat di belakangnya tidak menjawab cek router
health-route-inactive = default route tidak aktif
health-targets-silent = gateway dan semua target publik tidak menjawab
health-isp-down = { $router }: ISP putus
health-isp-down-detail = router hidup, uplink-nya mati: { $why }
health-isp-up = { $router }: ISP normal lagi
health-quota-new-month = { $router } { $interface }: bulan kuota baru dimulai
health-quota-used = { $router } { $interface }: { $percent }% kuota bulanan terpakai
health-quota-used-detail = { $used } dari { $quota } sejak reset tanggal { $day }
health-public-address = { $router }: alamat publik { $old } → { $new }

## WhatsApp settings

settings-wa-title = Pengaturan WhatsApp
settings-wa-is = WhatsApp
settings-state-official = aktif: peringatan dan perintah lewat WhatsApp Cloud API
settings-state-gateway = aktif: hanya peringatan, lewat gateway di noc.toml
settings-state-failed = mati: gagal start (cek pengaturan dan access token; alasannya ada di log)
settings-state-off = mati
settings-saved-by = Terakhir disimpan oleh { $user } pada { $time } UTC. Pengaturan ini menggantikan bagian [whatsapp] di noc.toml.
settings-from-file = Menampilkan bagian [whatsapp] dari noc.toml. Setelah disimpan di sini, pengaturan ini menggantikannya.
settings-no-file = noc.toml tidak punya bagian [whatsapp]: atur WhatsApp di sini.
settings-at-once = Pengaturan yang disimpan langsung berlaku; tidak perlu restart.
settings-gateway-note = noc.toml mengirim WhatsApp lewat gateway tidak resmi: hanya peringatan, dan pengaturan Cloud API di bawah tidak dipakai selama itu diatur.
settings-enabled = Aktif
settings-phone-number-id = Phone number id
settings-api-url = Alamat API
settings-verify-token = Verify token webhook
settings-verify-token-hint = satu kata acak yang panjang
settings-template = Template peringatan
settings-template-language = Bahasa template
settings-utc-offset = Waktu lokal (selisih UTC)
settings-token = Access token
settings-keep = kosongkan untuk tetap
settings-remove-secret = hapus dari halaman ini
settings-app-secret = App secret
settings-numbers = Nomor
settings-numbers-intro = Hanya nomor ini yang boleh memakai bot, sesuai perannya. Jam tenang menahan peringatan yang tidak kritis (misalnya 22:00-07:00). Kosongkan nomor untuk menghapusnya.
settings-number-n = Nomor { $n }
settings-add-number = Tambah nomor
settings-number = Nomor
settings-role = Peran
settings-quiet = Jam tenang
settings-gets-alerts = Terima peringatan
settings-save = Simpan
settings-test-heading = Kirim pesan uji
settings-test-to = Ke
settings-test-send = Kirim pesan uji
settings-test-note = Pesan lewat antrean WhatsApp seperti peringatan.
settings-test-first = Aktifkan WhatsApp dan tambahkan nomor dulu.
settings-secret-page = diatur di halaman ini
settings-secret-env = diatur (dari { $variable })
settings-secret-unset = belum diatur
settings-not-saved = Tidak ada yang disimpan: perbaiki kolom yang ditandai di bawah.
settings-saved-nothing = Disimpan; tidak ada yang berubah.
settings-saved = { $count ->
   *[other] { $count } perubahan disimpan. Sudah berlaku sekarang.
}
settings-test-off = WhatsApp mati, jadi tidak ada yang dikirim. Simpan pengaturan yang benar dulu.
settings-test-choose = Pilih salah satu nomor.
settings-test-unlisted = Hanya nomor di daftar bawah yang bisa menerima pesan uji.
settings-test-title = pesan uji noc
settings-test-text = Peringatan WhatsApp berfungsi. Dikirim oleh { $user } dari halaman Pengaturan.
settings-test-queued = Pesan uji masuk antrean untuk { $number }.
settings-test-not-queued = Pesan tidak bisa masuk antrean: { $error }
settings-err-id-needed = Wajib untuk mengirim: id nomor dari halaman API Setup Meta.
settings-err-id-digits = Hanya angka: id dari halaman API Setup Meta, bukan nomor telepon.
settings-err-api-url = Alamat web yang diawali https:// (kosongkan untuk milik Meta).
settings-err-verify-token = Satu kata tanpa spasi, maksimal 200 karakter.
settings-err-template = Nama template pakai huruf kecil, angka dan _.
settings-err-language = Kode bahasa seperti id, en atau en_US.
settings-err-utc-offset = selisih UTC { $value } tidak valid: pakai "+07:00" (contoh +07:00)
settings-err-number-twice = Nomor ini tercantum dua kali.
settings-err-number = Nomor internasional, seperti +62 812 3456 7890.
settings-err-role = admin, operator atau read-only.
settings-err-quiet = Seperti 22:00-07:00, atau kosong.
rules-err-name = aturan { $name }: nama perlu 1-64 huruf, angka, '-' atau '_' (diketik di /mute)
rules-err-log-needs = aturan { $name }: aturan log perlu `keywords` atau `regexes`
rules-err-empty-keyword = aturan { $name }: ada kata kunci kosong

# Ringkasan penjualan hotspot harian (sebuah peringatan).
alert-sales-summary = Penjualan { $date }: { $count } voucher, Rp { $total }
alert-sales-router = { $router }: { $count } voucher, Rp { $total }
