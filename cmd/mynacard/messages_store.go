package main

// Messages of the store, the records and the agent's start-up checks, kept
// apart from messages.go so that each list stays easy to merge. The same
// rules apply: every key has an English and a Japanese text with the same
// verbs.
const (
	msgInsecureOrigin msgKey = "cli.serve.insecure_origin"
	msgBadOrigin      msgKey = "cli.serve.bad_origin"
	msgNoStore        msgKey = "cli.store.none"
	msgHintNoStore    msgKey = "cli.hint.store_none"

	msgRecordsNoTrust       msgKey = "cli.records.no_trust"
	msgCheckpointFlags      msgKey = "cli.records.checkpoint_flags"
	msgInitCheckpointFrom   msgKey = "cli.records.init_checkpoint_from"
	msgInitCheckpointExists msgKey = "cli.records.init_checkpoint_exists"
	msgBadCheckpoint        msgKey = "cli.records.bad_checkpoint"
	msgFieldCheckpoint      msgKey = "cli.records.checkpoint"
	msgCheckpointNotChecked msgKey = "cli.records.checkpoint_not_checked"
	msgCheckpointAt         msgKey = "cli.records.checkpoint_at"
	msgCheckpointNone       msgKey = "cli.records.checkpoint_none"
	msgCheckpointWritten    msgKey = "cli.records.checkpoint_written"
	msgCheckpointNotWritten msgKey = "cli.records.checkpoint_not_written"
	msgHintCheckpointWrite  msgKey = "cli.hint.checkpoint_write"
	msgHintChainFailed      msgKey = "cli.hint.chain_failed"
	msgChainTruncated       msgKey = "cli.chain.truncated"
	msgChainNoCheckpoint    msgKey = "cli.chain.no_checkpoint"
	msgHintNoCheckpoint     msgKey = "cli.hint.no_checkpoint"
	msgChainNothing         msgKey = "cli.chain.nothing"
	msgHintChainNothing     msgKey = "cli.hint.chain_nothing"
	msgChainUnsealed        msgKey = "cli.chain.unsealed"
	msgHintUnsealedFirst    msgKey = "cli.hint.unsealed_first"
	msgChainGap             msgKey = "cli.chain.gap"
	msgChainOrder           msgKey = "cli.chain.order"
	msgChainPrevHash        msgKey = "cli.chain.prev_hash"
	msgChainHash            msgKey = "cli.chain.hash"
	msgChainSignerCert      msgKey = "cli.chain.signer_cert"
	msgChainUntrusted       msgKey = "cli.chain.untrusted"
	msgChainSignature       msgKey = "cli.chain.signature"
	msgChainHead            msgKey = "cli.chain.head"
)

// storeMessages is the second half of the CLI's catalog.
func storeMessages() []cliMessage {
	return []cliMessage{
		{msgInsecureOrigin, "--allow-origin %q: only https:// origins, or http:// on this computer (localhost, 127.0.0.1, [::1]), may call the agent", "--allow-origin %q：エージェントを呼び出せるのは https:// のオリジンか、このコンピューター上の http://（localhost、127.0.0.1、[::1]）だけです"},
		{msgBadOrigin, "--allow-origin %q: write an origin as scheme://host[:port]", "--allow-origin %q：オリジンは scheme://host[:port] の形で指定してください"},
		{msgNoStore, "there is no store at %s (nothing was created)", "%s にデータベースがありません（新しく作成はしていません）"},
		{msgRecordsNoTrust, "records verify needs --trust CERT.pem (the operator certificates to trust) or --any-cert (list who signed): without either nothing would be checked", "records verify には --trust CERT.pem（信頼する操作者証明書）か --any-cert（署名者を一覧表示）が必要です。どちらもなければ何も検証できません"},
		{msgCheckpointFlags, "--no-checkpoint cannot be used with --checkpoint or --init-checkpoint", "--no-checkpoint は --checkpoint や --init-checkpoint と一緒には使えません"},
		{msgInitCheckpointFrom, "--init-checkpoint writes the checkpoint of the store, not of an export (--from)", "--init-checkpoint はデータベースのチェックポイントを作るもので、エクスポート（--from）には使えません"},
		{msgInitCheckpointExists, "--init-checkpoint: there is already a checkpoint at %s", "--init-checkpoint：%s にはすでにチェックポイントがあります"},
		{msgBadCheckpoint, "the checkpoint %s is not valid: it does not parse, or its signature or signer does not check", "チェックポイント %s が正しくありません（読み取れないか、署名または署名者を確認できません）"},
		{msgFieldCheckpoint, "Checkpoint", "チェックポイント"},
		{msgCheckpointNotChecked, "not checked (--no-checkpoint)", "確認していません（--no-checkpoint）"},
		{msgCheckpointAt, "%s, %d records after it (%s)", "%s、その後の記録 %d 件（%s）"},
		{msgCheckpointNone, "none yet: no record is sealed (%s)", "まだありません。封印された記録がありません（%s）"},
		{msgCheckpointWritten, "checkpoint written at record %d: %s", "記録 %d でチェックポイントを書き込みました：%s"},
		{msgCheckpointNotWritten, "record %d was kept, but its checkpoint could not be written (%s): %s", "記録 %d は保存しましたが、チェックポイントを書き込めませんでした（%s）：%s"},
		{msgHintCheckpointWrite, "free disk space or fix the file's permissions; the next sealed record writes the checkpoint again", "ディスクの空きかファイルの権限を確認してください。次に封印する記録でチェックポイントをもう一度書き込みます"},
		{msgHintChainFailed, "the records were altered: keep the database and the checkpoint as they are and report it", "記録が改ざんされています。データベースとチェックポイントをそのまま保全し、報告してください"},
		{msgChainTruncated, "the records end at record %d, before record %d that the checkpoint or the expected head names: records were removed at the end", "記録は %d 番で終わっていて、チェックポイントまたは控えの先頭が示す %d 番に届きません。末尾の記録が削除されています"},
		{msgChainNoCheckpoint, "the records are sealed up to record %d, but there is no checkpoint at %s: it was deleted, or never written", "記録は %d 番まで封印されていますが、%s にチェックポイントがありません。削除されたか、書き込まれていません"},
		{msgHintNoCheckpoint, "for records sealed before checkpoints were kept, or a copy of the store: check the head with --expect-head, then write one with --init-checkpoint; or name the file with --checkpoint", "チェックポイント導入前に封印した記録やデータベースの複製の場合は、--expect-head で先頭を確かめてから --init-checkpoint で作成するか、--checkpoint でファイルを指定してください"},
		{msgChainNothing, "no sealed record was verified: nothing was checked", "封印された記録を1件も検証できませんでした。何も確認していません"},
		{msgHintChainNothing, "records are sealed only with an operator key (--operator-key or --operator-piv)", "記録は操作者の鍵（--operator-key か --operator-piv）を設定したときだけ封印されます"},
		{msgChainUnsealed, "record %d is not sealed", "記録 %d は封印（署名）されていません"},
		{msgHintUnsealedFirst, "no record before it is sealed: if the records were written before an operator key was set (--operator-key or --operator-piv), check the sealed ones after them with --allow-unsealed-prefix; otherwise keep the database and the checkpoint as they are and report it", "これより前に封印された記録はありません。操作者の鍵（--operator-key か --operator-piv）を設定する前に書かれた記録なら、--allow-unsealed-prefix を付けるとその後の封印された記録を確認できます。そうでなければデータベースとチェックポイントをそのまま保全し、報告してください"},
		{msgChainGap, "records are missing before record %d", "記録 %d の前の記録が欠けています"},
		{msgChainOrder, "record %d is out of order", "記録 %d の順序が正しくありません"},
		{msgChainPrevHash, "record %d does not link to the record before it (records reordered, removed or inserted)", "記録 %d が直前の記録とつながっていません（並べ替え・削除・挿入）"},
		{msgChainHash, "record %d was edited: its hash does not match", "記録 %d は書き換えられています（ハッシュが一致しません）"},
		{msgChainSignerCert, "record %d has a bad operator certificate", "記録 %d の操作者証明書が正しくありません"},
		{msgChainUntrusted, "record %d is signed by an operator certificate that is not trusted", "記録 %d は信頼していない操作者証明書で署名されています"},
		{msgChainSignature, "record %d has a bad operator signature", "記録 %d の操作者署名が正しくありません"},
		{msgChainHead, "record %d is not the sealed record the checkpoint or the expected head names", "記録 %d は、チェックポイントまたは控えの先頭が示す封印済みの記録と一致しません"},
		{msgHintNoStore, "check --db; a new store is created only by identify --enroll or eligibility import", "--db の指定を確認してください。新しいデータベースを作るのは identify --enroll と eligibility import だけです"},
	}
}
