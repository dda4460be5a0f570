# Billing pages: packages, customers, payments, receipts, reports, the isolation setup.

## The Billing page
billing-title = Tagihan
billing-heading = Tagihan · { $month }
billing-customers = Pelanggan
billing-owing = Menunggak
billing-isolated = Diisolir
billing-reports = Laporan
billing-isolation-setup = Pengaturan isolir
billing-paused-banner = Isolir dijeda: tagihan dan pengingat tetap jalan, tidak ada yang diisolir.
billing-invoiced = Ditagihkan
billing-received = Diterima
billing-last-run = Terakhir jalan
billing-never = belum pernah
billing-as-of = per tanggal
billing-run-cycle = Jalankan siklus…
billing-pause-confirm = Jeda isolir? Tidak ada yang diisolir sampai dilanjutkan.
billing-resume = Lanjutkan isolir
billing-pause = Jeda isolir
billing-packages = Paket
billing-no-packages = Belum ada paket: paket adalah profil PPP dengan harga bulanan.
billing-name = Nama
billing-ppp-profile = Profil PPP
billing-monthly-price = Harga bulanan
billing-save-package = Simpan paket
billing-import-title = Impor PPP secret
billing-router = Router
billing-import-preview = Lihat yang akan diimpor…
billing-add-customer = Tambah pelanggan
billing-ppp-secret = PPP secret
billing-package = Paket
billing-package-none = (tidak ada)
billing-billing-day = Tanggal tagihan (1–28)
billing-grace-days = Masa tenggang (hari)
billing-phone-whatsapp = No. HP (WhatsApp)
billing-telegram-chat = ID chat Telegram
billing-area = Rumah / wilayah
billing-since = Ditagih mulai
billing-add = Tambah

## Customers
billing-arrears-csv = CSV tunggakan
billing-search-placeholder = nama atau wilayah
billing-search = cari
billing-show-label = tampilkan
billing-show-all = semua
billing-show-owing = menunggak
billing-show-isolated = diisolir
billing-show-exempt = dikecualikan
billing-show-inactive = nonaktif
billing-show = Tampilkan
billing-balance-label = Saldo:
billing-no-customers = Belum ada pelanggan.
billing-no-customers-match = Tidak ada pelanggan yang cocok.

## A customer
billing-balance = Saldo
billing-credit = (kredit)
billing-secret-on = { $secret } di { $router }
billing-billing-day-label = Tanggal tagihan
billing-day-grace = { $day } (tenggang { $grace } hari)
billing-status = Status
billing-status-active = aktif
billing-status-inactive = nonaktif
billing-area-label = Wilayah
billing-phone = No. HP
billing-since-label = Sejak
billing-restore-button = Pulihkan…
billing-isolate-button = Isolir…
billing-record-payment = Catat pembayaran
billing-amount = Jumlah
billing-method = Metode
billing-method-cash = tunai
billing-method-transfer = transfer
billing-note = Catatan
billing-preview = Pratinjau…
billing-invoices = Tagihan
billing-due = jatuh tempo { $due }
billing-invoice-paid = lunas
billing-invoice-partial = sebagian
billing-invoice-unpaid = belum dibayar
billing-no-invoices = Belum ada tagihan.
billing-payments = Pembayaran
billing-by = oleh { $user }
billing-no-payments = Belum ada pembayaran.
billing-edit = Ubah
billing-exempt = Kecualikan dari isolir
billing-save = Simpan
billing-cancel = Batal

## Receipt
receipt-title = Kuitansi { $number }
receipt-heading = Kuitansi
receipt-date = Tanggal
receipt-from = Diterima dari
receipt-amount = Jumlah
receipt-method = Metode
receipt-balance-after = Saldo setelahnya
receipt-recorded-by = Dicatat oleh
receipt-back = Kembali ke pelanggan
receipt-print = Cetak

## Reports
reports-title = Laporan tagihan
reports-csv-invoices = tagihan
reports-csv-payments = pembayaran
reports-csv-arrears = tunggakan
reports-month = Bulan
reports-paid-unpaid = { $paid } lunas · { $unpaid } belum dibayar
reports-revenue = Pendapatan per bulan
reports-month-line = ditagihkan { $invoiced } ({ $invoices }) · diterima { $received } ({ $payments })
reports-nothing-yet = Belum ada data.
reports-arrears = Tunggakan
reports-nobody-owes = Tidak ada yang menunggak.

## Isolation setup
setup-intro-before = Pelanggan yang diisolir dipindah ke profil PPP
setup-intro-after = : pool dan address list sendiri, batas kecepatan rendah, hanya DNS dan halaman pemberitahuan yang bisa diakses, dan halaman web biasa (HTTP) dialihkan ke halaman pemberitahuan dari noc.
setup-listening-before = noc menyajikan halaman pemberitahuan di
setup-listening-after = . Isi alamat yang bisa dijangkau router.
setup-no-listener-before = noc belum menyajikan halaman pemberitahuan: isi
setup-no-listener-under = di bagian
setup-no-listener-after = pada noc.toml lalu restart.
setup-notice = Halaman pemberitahuan (IP:PORT, seperti dijangkau router)
setup-pool = Address pool
setup-local-address = Alamat router untuk sesi tersebut
setup-rate-limit = Batas kecepatan
setup-show-commands = Lihat perintahnya…

## A run of the billing cycle (its preview and the operators' digest)
billing-run-head = Tagihan { $date }
billing-run-dry = (uji coba: tidak ada yang diubah)
billing-run-paused = isolir dijeda
billing-run-invoices = Tagihan: { $count } ({ $total })
billing-run-more = … dan { $count } lainnya
billing-run-reminders = Pengingat: { $count }
billing-run-isolated = Diisolir: { $count }
billing-run-restored = Dipulihkan: { $count }
billing-run-left = Ditunda ke jalan berikutnya: { $reason }

## Customers and payments: messages
billing-field-router = router
billing-field-billing-day = tanggal tagihan
billing-field-grace-days = masa tenggang
billing-err-whole-number = { $field }: harus bilangan bulat
billing-err-pick-router = router: pilih salah satu
billing-err-status = status: aktif atau nonaktif
billing-err-amount = Jumlah: { $reason }
billing-customer-added = Pelanggan '{ $name }' ditambahkan.
billing-customer-saved = '{ $name }' disimpan.
billing-pay-record = Catat { $amount } dari { $name } ({ $method }).
billing-pay-balance-after = Saldo setelahnya: { $balance }
billing-pay-restores = Pelanggan sedang diisolir: profil paketnya dikembalikan dan sesinya diulang.
billing-pay-stays-isolated = Pelanggan tetap diisolir selama tagihan lama belum dibayar.
billing-pay-button = Catat pembayaran
billing-pay-recorded = Pembayaran dicatat: kuitansi { $receipt }.
billing-pay-restored = Internet aktif kembali.
billing-pay-pending = Belum dipulihkan ({ $reason }); dicoba lagi pada jalan berikutnya.
receipt-not-found = tidak ada kuitansi #{ $id }
billing-err-router-not-configured = router pelanggan ini belum diatur
billing-err-router-unknown-state = { $router } tidak terhubung: tidak ada yang bisa diubah selama kondisinya tidak diketahui
billing-err-router-not-connected = router pelanggan ini tidak terhubung
billing-err-no-secret = { $router } tidak punya PPP secret { $secret }
billing-isolation-set = Di { $router }: { $command } (sekarang { $now })
billing-isolation-sessions = /ppp/active/remove: { $count } sesi diputus, lalu klien dial ulang dengan { $profile }
billing-isolation-again = Jika pelanggan masih menunggak, jalan harian berikutnya mengisolirnya lagi kecuali dikecualikan.
billing-isolate-title = Isolir pelanggan
billing-restore-title = Pulihkan pelanggan
billing-isolate = Isolir
billing-restore = Pulihkan
billing-forced = { $name } ({ $secret }): { $from } → { $to }, { $ended } sesi diputus (manual)

## Packages, import, running the cycle, the isolation setup: messages
setup-field-package-name = Nama paket
setup-field-profile = Profil
setup-err-price = Harga: { $reason }
setup-package-saved = Paket '{ $name }' disimpan.
setup-err-no-router = tidak ada router #{ $id }
setup-err-not-connected = { $router } tidak terhubung
setup-err-router-not-connected = router tidak terhubung
setup-import-line = { $secret }: profil { $profile } → paket { $package } ({ $price })
setup-import-line-no-package = { $secret }: profil { $profile } → tanpa paket (tidak ditagih sampai paket diisi)
setup-import-nothing = Semua secret di router ini sudah jadi pelanggan.
setup-import-billed-from = Semua ditagih mulai hari ini ({ $today }) tiap tanggal { $day }; bisa diubah per pelanggan.
setup-import-title = Impor { $count } PPP secret sebagai pelanggan
setup-import-button = Impor
setup-imported = { $count } pelanggan diimpor.
setup-err-date = Tanggal: YYYY-MM-DD
setup-run-title = Jalankan siklus tagihan
setup-run-button = Jalankan
setup-run-done = Siklus selesai: { $invoices } tagihan, { $reminders } pengingat, { $isolated } diisolir, { $restored } dipulihkan.
setup-run-done-left = Siklus selesai: { $invoices } tagihan, { $reminders } pengingat, { $isolated } diisolir, { $restored } dipulihkan; { $left } ditunda ke jalan berikutnya.
setup-paused = Isolir dijeda: tidak ada yang diisolir sampai dilanjutkan.
setup-resumed = Isolir dilanjutkan.
setup-err-notice = Halaman pemberitahuan: alamat noc yang dijangkau router, IP:PORT (misal 192.168.88.10:8081)
setup-nothing-to-do = { $router } sudah punya semua yang dibutuhkan isolir.
setup-title-on = Pengaturan isolir di { $router }
setup-apply-button = Terapkan di router
setup-done = Isolir sudah diatur di { $router } ({ $count } perintah).

## Typed amounts and other refusals
billing-money-empty = isi jumlahnya
billing-money-not-a-number = { $typed } bukan jumlah uang (tulis 150000, 150.000 atau 150rb)
billing-money-fraction = { $typed }: jumlah harus bulat ({ $unit }), tanpa desimal
billing-money-not-positive = jumlah harus lebih dari 0
billing-money-too-large = { $typed } melebihi jumlah terbesar yang diterima ({ $max })
billing-err-no-customer = tidak ada pelanggan #{ $id }
billing-err-required = { $what }: wajib diisi
billing-err-too-long = { $what }: paling banyak 64 karakter
billing-err-control = { $what }: tidak boleh ada karakter kontrol
billing-err-amount-range = jumlah harus antara 1 dan { $max }
billing-err-note = catatan: paling banyak 200 karakter, satu baris
billing-err-no-isolate-profile = router belum punya profil { $profile }: jalankan dulu pengaturan isolir di halaman Tagihan

billing-customer-language = Bahasa pengingat dan halaman pemberitahuan
billing-customer-language-default = sesuai pengaturan tagihan
