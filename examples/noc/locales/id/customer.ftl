# What customers read: reminders, isolation and restore notices, the notice page.

customer-msg-pay-to = Pembayaran ke: { $pay_to }.
customer-msg-remind = Halo { $name }, tagihan internet Anda sebesar { $amount } jatuh tempo pada { $due }.{ $pay } Terima kasih!
customer-msg-isolate = Halo { $name }, layanan internet Anda diisolir karena tagihan { $amount } belum dibayar.{ $pay } Layanan aktif kembali segera setelah pembayaran dicatat.
customer-msg-restore = Halo { $name }, terima kasih atas pembayaran Anda. Layanan internet Anda sudah aktif kembali.

notice-title = Layanan internet Anda diisolir
notice-owed = Halo { $name }, tagihan Anda sebesar { $amount } belum dibayar.
notice-general = Koneksi Anda dihentikan sementara karena tagihan belum dibayar.
notice-pay-to = Pembayaran ke: { $pay_to }
notice-comes-back = Layanan aktif kembali segera setelah pembayaran dicatat.
