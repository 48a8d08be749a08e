package localsvc

import "fmt"

// dovecotConfig is a complete configuration: nothing from /etc/dovecot is read.
func dovecotConfig(dir string, run dovecotRunner, password string, imapPort, lmtpPort int) string {
	protocols := "imap"
	lmtp := ""
	if lmtpPort != 0 {
		protocols += " lmtp"
		lmtp = fmt.Sprintf(`service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %d
  }
}
protocol lmtp {
  postmaster_address = postmaster@localhost
}
`, lmtpPort)
	}
	return fmt.Sprintf(`# Written by supportd's localsvc for one private server; see StartDovecot.
protocols = %[1]s
listen = 127.0.0.1
base_dir = %[2]s/run
state_dir = %[2]s/state
instance_name = supportd-%[5]d
log_path = /dev/stderr
info_log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = %[3]s
default_internal_group = %[9]s
default_login_user = %[3]s
first_valid_uid = %[6]d
first_valid_gid = %[7]d
mail_location = maildir:%[2]s/mail/%%Lu
mail_fsync = never
passdb {
  driver = static
  args = password=%[4]s
}
userdb {
  driver = static
  args = uid=%[6]d gid=%[7]d home=%[2]s/mail/%%Lu
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    user = %[3]s
    group = %[9]s
  }
  unix_listener stats-writer {
    user = %[3]s
    group = %[9]s
  }
}
%[8]s`, protocols, dir, run.user, password, imapPort, run.uid, run.gid, lmtp, run.group)
}
