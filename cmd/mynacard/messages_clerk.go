package main

// Messages of the counter's wording: the insurer's own terms in qualify,
// the eligibility import's row-by-row errors, verify's revocation lines and
// the small words of status, enrolment, sign, cert, watch and serve. Kept
// apart from messages.go so that each list stays easy to merge; the same
// rules apply (an English and a Japanese text with the same verbs).
const (
	msgFieldQualLostOn        msgKey = "cli.qualify.lost_on"
	msgFieldInsuranceCard     msgKey = "cli.qualify.insurance_card_valid"
	msgInsuranceCardExpired   msgKey = "cli.qualify.insurance_card_expired"
	msgStatusCardExpired      msgKey = "cli.qualify.status_card_expired"
	msgInsuranceCardExpiredOn msgKey = "cli.qualify.insurance_card_expired_on"
	msgHintInsuranceCard      msgKey = "cli.hint.insurance_card_expired"

	msgNotCheckedSignature msgKey = "cli.verify.not_checked_signature"
	msgNotCheckedChain     msgKey = "cli.verify.not_checked_chain"
	msgHintDocumentFailed  msgKey = "cli.hint.document_failed"
	msgHintDocumentRevoked msgKey = "cli.hint.document_revoked"

	msgStatusPINA msgKey = "cli.status.pin_a"
	msgStatusPINB msgKey = "cli.status.pin_b"
	// msgStatusBirthKey is the surface application's birth-date key in the
	// status table (the key the age check uses).
	msgStatusBirthKey msgKey = "cli.status.birth_date_key"

	msgFileExists       msgKey = "cli.file.exists"
	msgHintFileExists   msgKey = "cli.hint.file_exists"
	msgBinaryToTerminal msgKey = "cli.cert.binary_terminal"
	msgMatchedEnrolment msgKey = "cli.identify.matched_enrolment"
	msgAuthNewEnrolment msgKey = "cli.identify.auth_new_enrolment"
	msgConsentFor       msgKey = "cli.token.consent_for"
	msgTokenBadAudience msgKey = "cli.token.bad_audience"
	msgTokenBadNonce    msgKey = "cli.token.bad_nonce"
	msgServing          msgKey = "cli.serve.serving"

	msgImportedOne          msgKey = "cli.import.done_one"
	msgImportSeparator      msgKey = "cli.import.separator"
	msgImportListSeparator  msgKey = "cli.import.list_separator"
	msgImportRowLine        msgKey = "cli.import.row_line"
	msgImportMore           msgKey = "cli.import.more"
	msgImportOneRow         msgKey = "cli.import.one_row"
	msgImportRows           msgKey = "cli.import.rows"
	msgImportBadHeader      msgKey = "cli.import.bad_header"
	msgImportDuplicateKey   msgKey = "cli.import.duplicate_key"
	msgImportLineTooLong    msgKey = "cli.import.line_too_long"
	msgImportFieldCount     msgKey = "cli.import.field_count"
	msgImportNotCSV         msgKey = "cli.import.not_csv"
	msgImportRequired       msgKey = "cli.import.required"
	msgImportNotUTF8        msgKey = "cli.import.not_utf8"
	msgImportControl        msgKey = "cli.import.control"
	msgImportEndsBefore     msgKey = "cli.import.ends_before"
	msgImportField          msgKey = "cli.import.field"
	msgImportEmpty          msgKey = "cli.import.empty"
	msgImportHeaderNotCSV   msgKey = "cli.import.header_not_csv"
	msgImportUnknownColumns msgKey = "cli.import.unknown_columns"
	msgImportTwiceColumns   msgKey = "cli.import.twice_columns"
	msgImportMissingColumns msgKey = "cli.import.missing_columns"
	msgImportHeaderLine     msgKey = "cli.import.header_line"
)

// importColumnWords are, per column of the eligibility file, its name as
// the clerk reads it and what it must hold, in English and Japanese. Their
// keys are cli.import.col.NAME and cli.import.rule.NAME.
var importColumnWords = []struct{ col, jaLabel, enRule, jaRule string }{ //nolint:gochecknoglobals // fixed at init
	{"issuer", "発行者（issuer）", "the authentication certificate's issuer (C=JP,O=…,OU=…) or keyid:HEX", "認証用証明書の発行者名（C=JP,O=…,OU=…）か keyid:HEX"},
	{"serial", "シリアル番号（serial）", "1 to 40 hex digits", "16進数1〜40桁"},
	{"insurer_number", "保険者番号（insurer_number）", "8 digits (6 for national health insurance)", "8桁の数字（国民健康保険は6桁）"},
	{"symbol", "記号（symbol）", "up to 38 characters", "38文字まで"},
	{"number", "番号（number）", "1 to 38 characters", "1〜38文字"},
	{"branch", "枝番（branch）", "2 digits", "2桁の数字"},
	{"name", "氏名（name）", "1 to 100 characters", "1〜100文字"},
	{"name_kana", "氏名カナ（name_kana）", "full-width katakana, up to 100 characters, or empty", "全角カタカナ100文字までか空欄"},
	{"birth_date", "生年月日（birth_date）", "a real date from 1868, YYYY-MM-DD or YYYYMMDD", "1868年以降の実在する日付（YYYY-MM-DD か YYYYMMDD）"},
	{"sex", "性別（sex）", "1 (male) or 2 (female)", "1（男）か2（女）"},
	{"qualified_from", "資格取得年月日（qualified_from）", "a real date from 1868, YYYY-MM-DD or YYYYMMDD", "1868年以降の実在する日付（YYYY-MM-DD か YYYYMMDD）"},
	{"qualified_until", "資格の最終日（qualified_until）", "empty, or a real date from 1868, YYYY-MM-DD or YYYYMMDD", "空欄か1868年以降の実在する日付（YYYY-MM-DD か YYYYMMDD）"},
	{"card_valid_until", "保険証の有効期限（card_valid_until）", "empty, or a real date from 1868, YYYY-MM-DD or YYYYMMDD", "空欄か1868年以降の実在する日付（YYYY-MM-DD か YYYYMMDD）"},
	{"copay_percent", "一部負担金割合（copay_percent）", "10, 20 or 30", "10・20・30のいずれか"},
	{"registered", "利用登録（registered）", "1 (registered) or 0", "1（登録済み）か0"},
}

// clerkMessages is the counter-wording part of the CLI's catalog.
func clerkMessages() []cliMessage {
	return append(importColumnMessages(), []cliMessage{
		{msgFieldQualLostOn, "Qualification lost on", "資格喪失年月日"},
		{msgFieldInsuranceCard, "Insurance card valid until", "保険証の有効期限"},
		{msgInsuranceCardExpired, "%s (expired)", "%s（期限切れ）"},
		{msgStatusCardExpired, "validity status %d, but the insurance card has expired", "有効性 %d。ただし保険証の有効期限が切れています"},
		{msgInsuranceCardExpiredOn, "the insurance card's validity ended on %s", "保険証の有効期限（%s）が切れています"},
		{msgNotCheckedSignature, "not checked: the signature did not verify", "確認していません（署名を検証できなかったため）"},
		{msgNotCheckedChain, "not checked: the certificate did not chain to a pinned root", "確認していません（証明書を検証できなかったため）"},
		{msgHintDocumentFailed, "do not rely on this signed document: see each check above", "この署名済みの文書は信頼しないでください。各項目を確認してください"},
		{msgHintDocumentRevoked, "the signer's certificate is revoked: do not rely on this signed document", "署名者の証明書は失効しています。この署名済みの文書は信頼しないでください"},
		{msgStatusPINA, "verification number A", "照合番号A"},
		{msgStatusPINB, "verification number B", "照合番号B"},
		{msgStatusBirthKey, "birth-date key", "生年月日キー"},
		{msgFileExists, "%s already exists: it was kept", "%s はすでにあります（そのままにしました）"},
		{msgHintFileExists, "give another file with --out, or --force to replace it; the card was not used", "--out で別のファイルを指定するか、置き換える場合は --force を付けてください（カードは使っていません）"},
		{msgBinaryToTerminal, "--format der writes binary data: give --out FILE, or redirect the output to a file", "--format der はバイナリデータを出力します。--out FILE を指定するか、出力をファイルにリダイレクトしてください"},
		{msgMatchedEnrolment, "Enrolment", "登録番号"},
		{msgAuthNewEnrolment, "verified: this certificate had no enrolment yet", "確認できました。この証明書はまだ登録されていませんでした"},
		{msgConsentFor, "the token for %s releases (certificate %s):", "%s へのトークンで次の情報を渡します（証明書 %s）："},
		{msgTokenBadAudience, "--audience must be 1 to %d bytes", "--audience は1〜%dバイトにしてください"},
		{msgTokenBadNonce, "--nonce must be the backend's challenge: at least %d bytes in unpadded base64url", "--nonce にはバックエンドのチャレンジ（パディングなしのbase64urlで%dバイト以上）を指定してください"},
		{msgServing, "serving the kiosk page at %s; press Ctrl-C to stop", "キオスク画面を %s で提供しています。止めるには Ctrl-C を押してください"},
		{msgImportedOne, "imported 1 qualification (%d new, %d updated)", "資格情報を1件取り込みました（新規%d件、更新%d件）"},
		{msgImportSeparator, "; ", "。"},
		{msgImportListSeparator, ", ", "、"},
		{msgImportRowLine, "line %d: %s", "%d行目：%s"},
		{msgImportMore, "… and more: only the first %d errors are listed", "…ほかにもあります（最初の%d件までを表示しています）"},
		{msgImportOneRow, "nothing imported: 1 row rejected", "取り込みませんでした。誤りのある行が1行あります"},
		{msgImportRows, "nothing imported: %d rows rejected", "取り込みませんでした。誤りのある行が%d行あります"},
		{msgImportBadHeader, "nothing imported: the header row is wrong", "取り込みませんでした。見出し行（1行目）が正しくありません"},
		{msgImportDuplicateKey, "the same qualification (issuer, serial, insurer_number, symbol, number, branch) is already on line %d", "同じ資格（issuer・serial・insurer_number・symbol・number・branch が同じもの）が%d行目にもあります"},
		{msgImportLineTooLong, "the line is longer than 64 KiB", "行が長すぎます（64KiBまで）"},
		{msgImportFieldCount, "%d fields, the header has %d", "項目が%d個あります（見出しは%d個）"},
		{msgImportNotCSV, "not readable as CSV: check the quotation marks (\")", "CSVとして読めません。引用符（\"）の使い方を確認してください"},
		{msgImportRequired, "%s: missing (required)", "%sが空欄です（必須）"},
		{msgImportNotUTF8, "%s: not UTF-8 (save the file as UTF-8, not Shift_JIS)", "%sがUTF-8ではありません（Shift_JISではなくUTF-8で保存してください）"},
		{msgImportControl, "%s: holds a control character (such as a line break or a tab)", "%sに制御文字（改行やタブなど）が含まれています"},
		{msgImportEndsBefore, "%s: before %s", "%sが%sより前です"},
		{msgImportField, "%s: want %s", "%sは%sにしてください"},
		{msgImportEmpty, "the file is empty: its first line must be the header %s", "ファイルが空です。1行目は見出し %s にしてください"},
		{msgImportHeaderNotCSV, "line 1 (header): not readable as CSV; the header must be %s", "1行目（見出し）をCSVとして読めません。見出しは %s にしてください"},
		{msgImportUnknownColumns, "unknown columns %s", "不明な列 %s"},
		{msgImportTwiceColumns, "columns given twice %s", "重複した列 %s"},
		{msgImportMissingColumns, "missing columns %s", "足りない列 %s"},
		{msgImportHeaderLine, "line 1 (header): %s; the header must be %s", "1行目（見出し）：%s。見出しは %s にしてください"},
		{msgHintInsuranceCard, "ask for a current insurance card or confirm the qualification with the insurer before accepting it for insurance treatment", "有効期限内の保険証を確認するか、保険者に資格を確認するまで、保険診療の受付はしないでください"},
	}...)
}

// importColumnMessages are the column names and rules of importColumnWords
// as catalog entries.
func importColumnMessages() []cliMessage {
	var out []cliMessage
	for _, w := range importColumnWords {
		out = append(out,
			cliMessage{msgKey("cli.import.col." + w.col), w.col, w.jaLabel},
			cliMessage{msgKey("cli.import.rule." + w.col), w.enRule, w.jaRule})
	}
	return out
}
