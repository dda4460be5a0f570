# Queues, queue trees, the editors, Layer 7, hotspot, devices.
# Istilah RouterOS (max-limit, limit-at, burst, PCQ, parent, packet-mark) tetap apa adanya.

## Halaman Antrean

queues-title = Antrean
queues-no-routers = Belum ada router.
queues-heading = Simple queue di { $router }
queues-filter-placeholder = Saring nama, target atau komentar
queues-filter = Saring
queues-add = Tambah antrean
queues-unit = antrean
queues-page-of = halaman { $page } dari { $pages }
queues-live = langsung, diperbarui tiap polling
queues-col-name = Nama
queues-col-target = Target
queues-col-rate = Laju ↑ / ↓
queues-col-max = Max limit ↑ / ↓
queues-col-use = Pakai
queues-col-bytes = Byte ↑ / ↓
queues-col-drops = Drop
queues-col-comment = Komentar
queues-disabled = nonaktif
queues-edit = Ubah
queues-previous = ← Sebelumnya
queues-next = Berikutnya →
queues-no-router = Router tidak ditemukan.
queues-no-queue = Antrean ini tidak ada di router ini.

## Satu antrean

queue-title = Antrean { $name }
queue-on = di { $router }
queue-target = Target
queue-parent = Parent
queue-none = tidak ada
queue-max-limit = Max limit
queue-rate-now = Laju sekarang
queue-use = Pakai
queue-bytes = Byte
queue-comment = Komentar
queue-state = Status
queue-disabled = nonaktif
queue-enabled = aktif
queue-dynamic = dinamis
queue-edit = Ubah
queue-enable = Aktifkan
queue-disable = Nonaktifkan
queue-remove = Hapus
queue-confirm-disable = Nonaktifkan antrean '{ $name }' di { $router }?
queue-confirm-remove = Hapus antrean '{ $name }' di { $router }?
queue-done-enabled = Antrean '{ $name }' diaktifkan di { $router }.
queue-done-disabled = Antrean '{ $name }' dinonaktifkan di { $router }.
queue-done-removed = Antrean '{ $name }' dihapus dari { $router }.
queue-live = Langsung
queue-upload = upload
queue-download = download
queue-history = Riwayat
queue-range-hour = Jam
queue-range-day = Hari
queue-range-week = Minggu
queue-range-year = Tahun

## Editor antrean

editor-title-edit = Ubah { $name }
editor-title-add = Tambah antrean
editor-heading-edit = Ubah antrean { $name }
editor-heading-add = Tambah antrean
editor-name = Nama
editor-target = Target
editor-parent = Parent
editor-none = tidak ada
editor-max-limit = Max limit (up/down)
editor-limit-at = Limit at (up/down)
editor-burst-limit = Burst limit
editor-burst-threshold = Burst threshold
editor-burst-time = Burst time
editor-priority = Prioritas
editor-packet-marks = Packet mark
editor-comment = Komentar
editor-disabled = Nonaktif
editor-checks = Pemeriksaan
editor-commands = Perintah yang akan dikirim
editor-nothing-to-do = tidak ada yang diubah: router sudah sesuai
editor-refused = Router menolak: { $error }
editor-apply = Terapkan
editor-cancel = Batal
editor-saved = '{ $name }' disimpan di { $router }.
editor-unknown-action = Aksi tidak dikenal.
editor-no-router = router tidak ditemukan
editor-not-connected = { $router } sedang tidak terhubung
# $name sudah diberi tanda kutip ("q1").
editor-err-no-queue = antrean { $name } tidak ada di router
editor-err-name-needed = antrean perlu nama
editor-err-name-exists = antrean bernama { $name } sudah ada
editor-err-target-needed = antrean perlu target (alamat atau interface)

## Halaman Queue Tree dan wizard "bagi rata"

trees-title = Queue Tree
trees-no-routers = Belum ada router.
trees-heading = Queue Tree di { $router }
trees-show = Tampilkan
trees-unit = entri
trees-live = langsung, diperbarui tiap polling
trees-add = Tambah entri
trees-col-name = Nama
trees-col-parent = Parent
trees-col-packet-mark = Packet mark
trees-col-queue = Queue
trees-col-rate = Laju
trees-col-max = Max limit
trees-col-use = Pakai
trees-col-bytes = Byte
trees-col-drops = Drop
trees-col-comment = Komentar
trees-disabled = nonaktif
trees-edit = Ubah
trees-empty = Belum ada entri queue tree.
trees-no-entry = Entri queue tree ini tidak ada di router ini.
trees-share-heading = Bagi bandwidth sama rata
trees-share-intro = Semua pengguna LAN mendapat bagian download dan upload yang sama (PCQ dengan pcq-rate=0);
    yang tidak terpakai satu pengguna diberikan ke yang lain. Wizard ini menambah tiga aturan mangle (paling atas, jadi
    setiap paket LAN ditandai sekali), dua tipe queue PCQ dan dua queue tree, dan menggantinya jika dijalankan lagi.
trees-share-down = Download (Mbps)
trees-share-up = Upload (Mbps)
trees-share-lan = Alamat LAN
trees-share-wan = Interface WAN
trees-share-lan-interface = Interface LAN
trees-share-parent = Tree di bawah
trees-share-parent-interfaces = interface WAN dan LAN
trees-share-preview = Pratinjau
trees-field-download = download
trees-field-upload = upload
trees-field-wan = Interface WAN
trees-field-lan = Interface LAN
trees-err-mbps = { $field }: `{ $value }` bukan angka Mbps
trees-err-mbps-range = { $field }: antara 0 dan 100.000 Mbps
trees-err-word = { $field }: satu kata tanpa spasi
trees-err-lan = LAN: `{ $value }` bukan alamat atau jaringan IPv4
trees-err-parent = parent: `{ $value }` bukan global maupun interfaces

## Satu entri queue tree dan editornya

tree-title = Queue tree { $name }
tree-parent = Parent
tree-packet-mark = Packet mark
tree-queue-type = Tipe queue
tree-max-limit = Max limit
tree-limit-at = Limit at
tree-edit = Ubah
tree-remove = Hapus
tree-legend-rate = laju
tree-back = Kembali ke Queue Tree
tree-edit-title-remove = Hapus { $name }
tree-edit-title-edit = Ubah { $name }
tree-edit-title-add = Tambah entri queue tree
tree-edit-remove-before = Entri
tree-edit-remove-after = beserta pengaturannya dihapus dari router. Entri di bawahnya kehilangan parent.
tree-edit-name = Nama
tree-edit-parent-hint = global, ether1 atau entri lain
tree-edit-limit-at-hint = 0 (tidak ada)
tree-edit-max-limit-hint = 10M, 0 = tanpa batas
tree-edit-priority = Prioritas (1–8)
tree-edit-burst-limit-hint = 0 (tanpa burst)
tree-edit-check = Periksa
tree-edit-remove-entry = Hapus entri ini…
tree-edit-removed = '{ $name }' dihapus dari { $router }.
tree-edit-added = '{ $name }' ditambahkan di { $router }.
# $name sudah diberi tanda kutip ("t1").
tree-edit-err-no-entry = entri queue tree { $name } tidak ada di router
tree-edit-err-choose-remove = pilih entri yang akan dihapus
tree-edit-err-name-needed = entri perlu nama
tree-edit-err-name-exists = entri bernama { $name } sudah ada
tree-edit-err-parent-needed = pilih global, sebuah interface atau entri lain
tree-edit-err-own-parent = entri tidak bisa menjadi parent dirinya sendiri

## Layer 7

l7-title = Layer 7
l7-col-protocol = Protokol
l7-col-pattern = Pola
l7-col-lint = Lint
l7-col-hits = Hit
l7-col-feeds = Ke antrean
l7-clean = bersih
l7-packets = { $packets } paket
l7-empty = Tidak ada protokol Layer 7 di router ini.
l7-test-heading = Uji pola
l7-test-pattern = Pola (kosong: semua protokol router ini)
l7-test-text = Teks payload
l7-test-run = Uji
l7-test-pcap = atau file capture (pcap, pcapng)
l7-test-upload = Unggah
l7-test-pattern-name = (pola)
l7-activity = Aktivitas
l7-col-time = Waktu (UTC)
l7-col-host = Host
l7-col-app = Aplikasi
l7-col-rule = Aturan
l7-no-capture = tidak ada file capture di formulir (kolom `pcap`)
l7-pcap-failed = analisis pcap gagal
l7-patterns-broken = pola di router tidak bisa dikompilasi: { $error }

## Hotspot

hotspot-title = Hotspot
hotspot-active-link = Sesi aktif
hotspot-vouchers-link = Semua voucher
hotspot-sales-link = Penjualan
hotspot-profiles = Profil
hotspot-col-profile = Profil
hotspot-col-price = Harga
hotspot-col-selling = Harga jual
hotspot-col-validity = Masa aktif
hotspot-col-expiry = Saat habis
hotspot-col-rate-limit = Rate limit
hotspot-col-shared = Shared
hotspot-no-profiles = Tidak ada profil user hotspot di router ini.
hotspot-generate-heading = Buat voucher
hotspot-how-many = Jumlah (1–{ $max })
hotspot-code-length = Panjang kode
hotspot-prefix = Awalan
hotspot-kind = Jenis
hotspot-kind-voucher = voucher (kode = password)
hotspot-kind-user = user + password
hotspot-note = Catatan
hotspot-generate = Buat
hotspot-profile-heading = Tambah atau ubah profil
hotspot-name = Nama
hotspot-selling-price = Harga jual
hotspot-selling-price-hint = (sama dengan harga)
hotspot-validity-hint = 1d, 12h, 30d (kosong: tanpa batas)
hotspot-at-expiry = Saat habis
hotspot-expiry-remc = hapus, catat penjualan
hotspot-expiry-rem = hapus
hotspot-expiry-ntfc = batasi ke 1s, catat penjualan
hotspot-expiry-ntf = batasi ke 1s
hotspot-rate-limit-hint = 1M/2M (upload/download)
hotspot-shared-users = Shared users
hotspot-mac-lock = Kunci ke perangkat pertama
hotspot-save-profile = Simpan profil
hotspot-mikhmon-note = Profil memakai header on-login MIKHMON, jadi MIKHMON dan noc membaca harga dan masa aktif yang sama.
hotspot-no-router = Router tidak ditemukan.
hotspot-profile-saved = Profil '{ $name }' disimpan di { $router }.
hotspot-field-price = Harga
hotspot-field-selling-price = Harga jual
hotspot-err-amount = { $field }: jumlah bulat seperti 5000 atau 5.000 (tanpa desimal, paling banyak 12 digit)
hotspot-err-too-large = { $field }: terlalu besar
hotspot-err-name = Nama: 1 sampai 64 karakter yang bisa dicetak.
hotspot-err-validity = Masa aktif: durasi seperti 30d, 12h atau 5h30m (kosong: tidak kedaluwarsa).
hotspot-err-expiry = Saat habis: rem, ntf, remc atau ntfc.
hotspot-err-rate-limit = Rate limit: { $error } (upload/download, contoh 1M/2M)
hotspot-err-shared-users = Shared users: 1 sampai 100.
hotspot-err-count = Jumlah: 1 sampai { $max }.
hotspot-err-length = Panjang kode: 3 sampai 8.
hotspot-err-prefix = Awalan: hanya huruf dan angka.
hotspot-err-batch-stopped = Router menghentikan batch setelah { $added } voucher: { $error }. Voucher tersebut ada di batch { $batch }.
hotspot-sessions-title = Sesi hotspot
hotspot-col-user = User
hotspot-col-address = Alamat
hotspot-col-bytes = Byte
hotspot-confirm-kick = Putuskan sesi { $user } di { $router }?
hotspot-kick = Putuskan { $user }
hotspot-no-sessions = Tidak ada yang login.
hotspot-kicked = Sesi diputus di { $router }.
hotspot-sales-month = Bulan
hotspot-sales-harvest = Dibaca dari router: { $new } catatan baru, { $known } sudah tersimpan
hotspot-sales-skipped = , { $skipped } tidak terbaca (dilewati)
hotspot-sales-error = Gagal membaca catatan router ({ $error }); menampilkan yang tersimpan.
hotspot-sales-vouchers = voucher
hotspot-sales-per-day = Per hari
hotspot-sales-per-profile = Per profil
hotspot-sales-none = Tidak ada penjualan di periode ini.

## Batch voucher dan lembar voucher yang dicetak

voucher-title = Voucher
voucher-batch = batch
voucher-print = Cetak:
voucher-print-small = kecil
voucher-print-thermal = thermal 58 mm
voucher-confirm-remove-unused = Hapus { $unused } voucher belum terpakai dari batch { $batch } di { $router }?
voucher-remove-unused = Hapus { $unused } voucher belum terpakai dari batch { $batch }
voucher-col-code = Kode
voucher-col-state = Status
voucher-col-uptime = Uptime
voucher-col-comment = Komentar
voucher-state-unused = belum terpakai
voucher-state-used = terpakai
voucher-state-active = aktif
voucher-state-expired = kedaluwarsa
voucher-none = Tidak ada voucher.
voucher-sheet-title = Voucher { $batch }
voucher-sheet-back = ← kembali
voucher-sheet-unused = { $count } voucher belum terpakai
voucher-sheet-qr = QR membuka { $url }
voucher-sheet-change = ganti dengan
voucher-sheet-print = cetak dengan Ctrl-P
# Yang dibaca pelanggan di voucher; kata di halaman login hotspot.
voucher-password = password
voucher-sheet-none = Tidak ada voucher belum terpakai di batch ini.

## Perangkat

devices-title = Perangkat
devices-checked-by = Dicek oleh router sendiri
devices-behind-note = perangkat di belakang parent ditampilkan di bawahnya.
devices-summary = { $count } perangkat, { $down } down
devices-col-device = Perangkat
devices-col-address = Alamat
devices-col-state = Status
devices-col-last-checks = Cek terakhir
devices-spark-title = latensi { $checks } cek terakhir; { $failed } gagal
devices-diagnose = Diagnosa
devices-remove = Hapus
devices-none = Belum ada perangkat.
devices-add-heading = Tambah perangkat
devices-name = Nama
devices-address = Alamat IP atau MAC
devices-parent = Di belakang (parent)
devices-parent-none = tidak ada
devices-router = Router
devices-preview = Pratinjau
devices-refused = Hanya admin dan operator yang bisa menambah atau menghapus perangkat.
devices-no-router = Router tidak ditemukan.
devices-no-device = Perangkat tidak ditemukan.
devices-added = Perangkat ditambahkan.
devices-removed = Perangkat dihapus.
devices-confirm-add = Tambah { $name }
devices-confirm-remove = Hapus { $name }
devices-confirm-on = di { $router }
devices-confirm-on-behind = di { $router }, di belakang { $parent }
devices-confirm-remove-note = Perangkat di belakangnya akan tampil sendiri setelah ini.
devices-confirm-router-gets = Router akan menerima:
devices-mac-host = (alamat { $address } menurut tabel ARP/DHCP router)
devices-entry-with = entri dengan

## Diagnosa: halamannya, dan teks pemeriksaan (juga di chat)

diagnose-title = Diagnosa { $name }
diagnose-where = { $address } di { $router }; baru saja dicek, dengan urutan ini.
diagnose-address-unknown = alamat tidak diketahui
diagnose-likely-cause = Kemungkinan penyebab: { $cause }
diagnose-no-problem = Tidak ada masalah.
diagnose-again = Cek lagi
diagnose-check-router = Router
diagnose-check-isp = ISP
diagnose-check-quota = Kuota
diagnose-check-device = Perangkat
diagnose-check-parent = Parent
diagnose-check-queue = Antrean
diagnose-check-uplink = Uplink
diagnose-check-cpu = CPU
diagnose-verdict-ok = ok
diagnose-verdict-problem = masalah
diagnose-verdict-unknown = tidak diketahui
diagnose-router-answers = { $router } menjawab
diagnose-router-silent = { $router } tidak menjawab: { $why }
diagnose-not-polled = belum di-poll
diagnose-router-off = router tidak terjangkau
diagnose-uplink-route-inactive = uplink mati: default route tidak aktif
diagnose-uplink-dead = uplink mati: gateway dan Internet tidak menjawab
diagnose-isp-down = ISP putus: { $host } tidak menjawab
# $gateway adalah diagnose-isp-lossy-gateway atau kosong.
diagnose-isp-lossy = ISP loss: { $loss }% loss ke { $host }{ $gateway } (rata-rata { $avg })
diagnose-isp-lossy-gateway = , { $loss }% ke gateway
diagnose-isp-slow = ISP lambat: { $avg } ke { $host }
diagnose-isp-ok = loss { $loss }%, { $avg } ke { $host }
diagnose-isp-no-ping = tidak ada balasan ping dari target publik tepat waktu
diagnose-quota-none = belum ada kuota yang diatur atau dihitung
diagnose-quota-used-up = kuota { $interface } habis: { $used } dari { $quota } ({ $percent }%)
diagnose-ping-silent = { $name } tidak menjawab ping router (mati?)
diagnose-ping-lossy = { $name }: loss { $loss }%, { $avg }
diagnose-ping-ok = { $name } menjawab, { $avg }
diagnose-ping-down = { $name } down (netwatch)
diagnose-ping-none = tidak ada hasil ping dari { $name }
diagnose-device-unwatched = bukan perangkat yang dipantau
diagnose-no-parent = tidak ada perangkat parent
diagnose-queue-none = tidak ada simple queue dengan target perangkat ini
diagnose-queue-full = antrean { $name } mentok di max-limit ({ $percent }%) selama { $span }
diagnose-queue-ok = antrean { $name } di { $percent }% dari max-limit
diagnose-uplink-unset = uplink_capacity belum diatur
diagnose-uplink-no-rate = tidak ada laju interface WAN
diagnose-uplink-saturated = uplink penuh: { $down }% down, { $up }% up
diagnose-uplink-ok = { $down }% down, { $up }% up
diagnose-cpu-none = tidak ada data resource
diagnose-cpu-high = CPU router { $cpu }%
