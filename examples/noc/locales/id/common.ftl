# Bingkai halaman yang dipakai semua halaman dasbor, dan kata yang dipakai banyak halaman.

nav-overview = Ringkasan
nav-queues = Antrean
nav-trees = Queue Tree
nav-l7 = Layer 7
nav-hotspot = Hotspot
nav-billing = Tagihan
nav-devices = Perangkat
nav-alerts = Peringatan
nav-routers = Router
nav-users = Pengguna
nav-audit = Log audit
nav-settings = Pengaturan
nav-logout = Keluar
nav-language = Bahasa
nav-language-set = Pakai

role-admin = admin
role-operator = operator
role-read-only = baca-saja

banner-storage-failing = Penyimpanan bermasalah: { $fault }. Peringatan disimpan di memori dan dicoba lagi.
banner-storage-fault = { $what } sejak { $when } UTC ({ $failed } penulisan gagal)
banner-embedded = Belum ada router yang diatur: dasbor ini menampilkan simulator RouterOS bawaan (ros-sim di { $address }), dihubungi lewat protokol API yang sebenarnya. Tambahkan router di noc.toml (--config) atau di halaman Router.
banner-embedded-short = Demo: simulator bawaan.
banner-embedded-add = Tambahkan router Anda

error-title = Galat { $status }
error-not-found-title = Tidak ditemukan
error-back = Kembali
error-home = Ringkasan
error-not-found = Halaman itu tidak ada.
error-read-only = Pengguna baca-saja tidak dapat mengubah apa pun.
error-cannot-sell = Pengguna baca-saja tidak dapat menjual voucher.
error-template = Halaman tidak dapat ditampilkan.

language-saved = Bahasa diganti ke { $language }.
language-unknown = Bahasa “{ $language }” tidak tersedia: pilih English (en) atau Bahasa Indonesia (id).

# Skrip dasbor (static/app.js): pembaruan langsung, pemeriksaan, kemajuan.
js-state-up = aktif
js-state-down = mati
js-state-connecting = menghubungkan
js-no-data = belum ada data
js-login-again = Masuk lagi
js-live-logged-out = Pembaruan langsung berhenti: Anda sudah keluar. Angka di bawah adalah yang terakhir diterima.
js-live-stopped = Pembaruan langsung berhenti. Angka di bawah adalah yang terakhir diterima; muat ulang halaman.
js-live-unreachable = Pembaruan langsung berhenti: noc tidak dapat dihubungi. Angka di bawah adalah yang terakhir diterima.
js-live-reconnecting = Menghubungkan ulang… angka di bawah adalah yang terakhir diterima.
js-polls = { $ok } berhasil / { $failed } gagal
js-edit = Ubah
js-disabled = (nonaktif)
js-cannot-check = tidak dapat diperiksa: { $error }
js-nothing-to-do = tidak ada yang perlu diubah: router sudah seperti ini
js-l7-error = galat: { $error }
js-l7-matches = cocok
js-l7-no-match = tidak cocok
js-l7-flow = { $flow } ({ $packets } paket)
js-vouchers-adding = Menambahkan voucher ke router…
js-vouchers-progress = { $added } dari { $total } ditambahkan
js-vouchers-stopped = Berhenti setelah { $added }: { $error }
js-ack-all-confirm = Tandai sudah dilihat semua peringatan aktif di saringan ini ({ $count })?
js-devices-summary = { $count } perangkat, { $down } mati
