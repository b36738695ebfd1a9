package main

// The Japanese help: every command's descriptions and every flag's, the
// usage template's words (help.go), and the usage errors cobra and pflag
// would otherwise give in English. The English help is the text the
// commands are declared with; TestJapaneseHelpComplete checks that every
// command and flag has its Japanese text here, and no entry is stale.

// Messages of usage errors and of the argument and flag checks.
const (
	msgArgsExact       msgKey = "cli.usage.args_exact"
	msgArgsRange       msgKey = "cli.usage.args_range"
	msgArgsMax         msgKey = "cli.usage.args_max"
	msgFlagUnknown     msgKey = "cli.usage.flag_unknown"
	msgFlagNeedsValue  msgKey = "cli.usage.flag_needs_value"
	msgFlagBadValue    msgKey = "cli.usage.flag_bad_value"
	msgFlagSyntax      msgKey = "cli.usage.flag_syntax"
	msgUnknownCommand  msgKey = "cli.usage.unknown_command"
	msgDidYouMean      msgKey = "cli.usage.did_you_mean"
	msgListSep         msgKey = "cli.usage.list_sep"
	msgLangBad         msgKey = "cli.usage.lang"
	msgPINSourceBoth   msgKey = "cli.usage.pin_source_both"
	msgCertUnknown     msgKey = "cli.usage.cert_unknown"
	msgCertFormat      msgKey = "cli.usage.cert_format"
	msgChangesArgs     msgKey = "cli.usage.changes_args"
	msgChangesNotID    msgKey = "cli.usage.changes_not_id"
	msgPINUnknown      msgKey = "cli.usage.pin_unknown"
	msgReplacesAuthKey msgKey = "cli.usage.replaces_auth_key"
	msgRectFormat      msgKey = "cli.usage.rect_format"
	msgTextNeedsRect   msgKey = "cli.usage.text_needs_rect"
	msgExpectHead      msgKey = "cli.usage.expect_head"
	msgServeLastTry    msgKey = "cli.usage.serve_last_try"
	msgServeListen     msgKey = "cli.usage.serve_listen"
	msgAttachedPDF     msgKey = "cli.usage.attached_pdf"
	msgTokenNeeds      msgKey = "cli.usage.token_needs"
	msgSlotRange       msgKey = "cli.usage.slot_range"
	msgCountNegative   msgKey = "cli.usage.count_negative"
	msgOCSPURL         msgKey = "cli.usage.ocsp_url"
	msgOperatorPair    msgKey = "cli.usage.operator_pair"
	msgFileProblem     msgKey = "cli.file.problem"
	msgDiskFull        msgKey = "cli.file.disk_full"
	msgFileExistsPlain msgKey = "cli.file.exists_plain"
)

// helpMessages are the texts of the keys above.
func helpMessages() []cliMessage {
	return []cliMessage{
		{msgArgsExact, "%s takes %d argument(s) (%d given)", "%s には引数を%d個指定してください（指定：%d個）"},
		{msgArgsRange, "%s takes %d to %d arguments (%d given)", "%s には引数を%d〜%d個指定してください（指定：%d個）"},
		{msgArgsMax, "%s takes at most %d argument(s) (%d given)", "%s に指定できる引数は%d個までです（指定：%d個）"},
		{msgFlagUnknown, "unknown flag %s", "%s というフラグはありません"},
		{msgFlagNeedsValue, "%s needs a value", "%s には値が必要です"},
		{msgFlagBadValue, "%s: %q is not a valid value", "%s の値 %q は使えません"},
		{msgFlagSyntax, "bad flag syntax: %s", "フラグの書き方が正しくありません：%s"},
		{msgUnknownCommand, "unknown command %q for %q", "「%s」というコマンドは %s にはありません"},
		{msgDidYouMean, "; did you mean %s?", "。もしかして：%s"},
		{msgListSep, ", ", "、"},
		{msgLangBad, "--lang must be ja or en, not %q", "--lang には ja か en を指定してください（%q は使えません）"},
		{msgPINSourceBoth, "--pin-stdin and --pin-fd cannot be used together", "--pin-stdin と --pin-fd は同時に指定できません"},
		{msgCertUnknown, "unknown certificate %q: use auth, sign, auth-ca or sign-ca", "証明書 %q はありません。auth、sign、auth-ca、sign-ca のいずれかを指定してください"},
		{msgCertFormat, "--format must be text, pem, der or json, not %q", "--format には text、pem、der、json のいずれかを指定してください（%q は使えません）"},
		{msgChangesArgs, "give one enrolment ID or --all", "登録番号を1つ指定するか、--all を付けてください"},
		{msgChangesNotID, "enrolment ID %q is not a number", "登録番号 %q は数字ではありません"},
		{msgPINUnknown, "unknown PIN %q: use sign, auth or text", "暗証番号の種類 %q はありません。sign、auth、text のいずれかを指定してください"},
		{msgReplacesAuthKey, "--replaces and --compare-text need the signing key, not --auth-key", "--replaces と --compare-text は署名用の鍵で使います。--auth-key とは一緒に使えません"},
		{msgRectFormat, "--rect: want X1,Y1,X2,Y2 (numbers)", "--rect は X1,Y1,X2,Y2（数値）の形で指定してください"},
		{msgTextNeedsRect, "--text needs --rect", "--text には --rect も必要です"},
		{msgExpectHead, "--expect-head must be SEQ:HEX (64 hex digits)", "--expect-head は 番号:ハッシュ（16進数64桁）の形で指定してください"},
		{msgServeLastTry, "--allow-last-try is not for an unattended kiosk: serve never spends the last PIN try", "--allow-last-try は無人の端末では使えません。serve は暗証番号の最後の1回を使いません"},
		{msgServeListen, "--listen %s: the agent listens on loopback only (127.0.0.1, [::1] or localhost)", "--listen %s：エージェントはループバック（127.0.0.1、[::1]、localhost）でだけ待ち受けます"},
		{msgAttachedPDF, "--attached does not go with --pdf", "--attached は --pdf と一緒に使えません"},
		{msgTokenNeeds, "--audience and --nonce are required", "--audience と --nonce の両方が必要です"},
		{msgSlotRange, "--slot must be 0 to %d", "--slot には 0〜%d を指定してください"},
		{msgCountNegative, "--count must not be negative", "--count に負の数は指定できません"},
		{msgOCSPURL, "--ocsp: %q is not an http:// or https:// URL", "--ocsp：%q は http:// または https:// のURLではありません"},
		{msgFileProblem, "%s: %s", "%s：%s"},
		{msgDiskFull, "the disk is full", "ディスクに空きがありません"},
		{msgFileExistsPlain, "the file exists already", "ファイルがすでにあります"},
		{msgOperatorPair, "--operator-key and --operator-cert go together", "--operator-key と --operator-cert は両方指定してください"},
	}
}

// commandHelp is a command's Japanese short and long description.
type commandHelp struct{ short, long, use string }

// Words of the Japanese usage template and flag lists (help.go).
const (
	jaHelpFlag             = "このコマンドのヘルプを表示します"
	jaDefaultValue         = "（既定値：%s）"
	jaCompletionShellShort = "%s のコマンド補完スクリプトを出力します"
	jaCompletionShellLong  = "%s のコマンド補完スクリプトを標準出力に書き出します。設定方法の説明は --lang en で表示します。"
)

// jaPlaceholder names a flag's kind of value in the Japanese flag lists.
var jaPlaceholder = map[string]string{ //nolint:gochecknoglobals // immutable table
	"string":      "値",
	"stringArray": "値",
	"int":         "数",
	"duration":    "時間",
	"uint":        "数",
	"int64":       "数",
	"uint64":      "数",
	"float64":     "数",
	"stringSlice": "値",
}

// jaRootLong is the root command's long description in Japanese.
const jaRootLong = `mynacard は、PC/SCリーダーでマイナンバーカードを読み取り、使うためのコマンドです。
本人確認（identify）、資格確認（qualify）、異動確認（changes）、電子署名と
その検証（sign、verify）、カードの証明書・券面事項・顔写真の読み取りができます。

--reader virtual を付けると、どのコマンドも内蔵の仮想カードで動きます。架空の
テスト用の方（山田　太郎、署名用パスワード ABC123、暗証番号 1234）のテストカードで、
本物のマイナンバーカードではありません。そのテスト用の認証局は、このときだけ信頼します。
仮想カードは指定したときだけ使います。リーダー、カード、PC/SCサービスがなければ、
そのことを表示して止まります。

暗証番号はコマンドラインや環境変数からは受け付けません。端末で画面に表示せずに入力するか、
標準入力（--pin-stdin）またはファイル記述子（--pin-fd N）から渡します。`

// exitCodeHelpJA lists the exit codes in Japanese.
func (g *globals) exitCodeHelpJA() string {
	return `終了コード：
  0    正常
  1    その他のエラー（データベース、ファイル、ネットワーク）
  2    使い方の誤り
  3    検証できない（署名、固定したルートまでの証明書の検証、または --revocation hard での失効状態不明）
  4    証明書が失効している（異動を含む）
  5    資格がない（qualify：有効性 2〜6）
  6    カードまたはリーダーの問題（リーダーなし、カードなし、待ち時間切れ、取り出し、マイナンバーカードではない）
  7    暗証番号の問題（誤り、ロック、最後の1回を拒否、形式の誤り）
  130  中断`
}

// jaCommandHelp holds every command's Japanese descriptions, keyed by the
// command's path without the program name; long is empty where the
// English has none.
var jaCommandHelp = map[string]commandHelp{ //nolint:gochecknoglobals // immutable table
	"": {short: "PC/SCリーダーでマイナンバーカードを使います"},
	"age": {short: "年齢確認（生年月日を出さずに）：ご本人が今日（日本時間）N歳以上か。「はい」か「いいえ」だけを表示します",
		long: `age は、ご本人の生年月日を和暦6桁（YYMMDD、照合番号Bの先頭6桁）で入力していただき
（画面には表示しません。--pin-stdin で標準入力からも渡せます）、それでカードの年齢の記録を
読み取ります。記録は固定したJ-LISのカード検証用の鍵（テストのときはテスト用の鍵、その旨を表示）
で検証し、チップに新しいチャレンジへ署名させて、ファイルの複製ではなくカードそのものであることを
確かめます。答えは今日（日本時間）の時点で「はい」か「いいえ（N歳以上ではありません）」だけで、
生年月日、年齢、氏名、カードの識別子は表示も保存もしません。

年齢は誕生日の前日の終わりに1歳加わります（年齢計算ニ関スル法律）。N回目の誕生日の始まりから
N歳とし、2月29日生まれの方は、うるう年でない年は3月1日からN歳とします。`},
	"cert": {short: "カードの4つの証明書のうち1つを表示します（署名用電子証明書には署名用パスワードが必要です）",
		long: `cert は、カードの公的個人認証APの証明書を表示します。署名用電子証明書（sign）には
ご本人の氏名・住所・生年月日・性別が含まれ、署名用パスワードを入力した後にだけ読み取れます。
その内容は読める形で表示し、生年月日は西暦と和暦で、氏名や住所に代替文字があるときは注意を表示します。`},
	"changes": {use: "changes [登録番号 | --all]",
		short: "異動確認：登録した署名用電子証明書の失効を確認し直します",
		long: `changes は、登録した署名用電子証明書の失効状態を今の時点で確認します（登録番号で1件、
または --all で現在の登録すべて）。失効理由が「異動」（affiliationChanged）のときは、ご本人の
登録内容が変わっています。新しいカードでもう一度本人確認をしてください（identify --replaces 登録番号）。
その他の失効は理由とともに表示します。

まとめて確認するときは、端末では進み具合を表示し、有効でない登録を表示して（--json では
登録ごとに1つのJSONオブジェクト、最後に集計）、最後に集計を表示します。終了コードは、
すべて有効なら0、失効が1件でもあれば4、確認できないものがあれば3です。`},
	"completion": {short: "シェルのコマンド補完スクリプトを出力します",
		long: "bash、zsh、fish、PowerShell 用のコマンド補完スクリプトを出力します。設定方法の説明は --lang en で表示します。"},
	"eligibility": {short: "資格確認（qualify）が参照する医療保険の資格情報を管理します"},
	"eligibility import": {use: "import ファイル.csv",
		short: "CSVファイルから資格情報を取り込みます（全行を取り込むか、1行も取り込まないか）",
		long: `eligibility import は、利用者証明用電子証明書（発行者とシリアル番号の16進数。
"cert auth --json" が表示する形）ごとの資格情報を、UTF-8のCSVファイルから取り込みます。見出し行は次のとおりです。

  issuer,serial,insurer_number,symbol,number,branch,name,name_kana,birth_date,sex,qualified_from,qualified_until,card_valid_until,copay_percent,registered

発行者（issuer）は、"cert auth --json" が表示する issuer の形（crypto/x509 の書き方）、
証明書そのままのRDNの順序（記録や登録が保存する形）、または keyid:16進数（"cert auth --json" の
issuer_key_id）のいずれでも書けます。どれも同じ形に揃えて保存し、qualify はどの書き方でも見つけます。

ファイルは1つのトランザクションで取り込みます。誤りのある行があれば、その行番号をすべて表示し、
何も取り込みません。`},
	"face": {use: "face --out ファイル | --png ファイル [--credential pin|a|b]",
		short: "券面の顔写真（カードのままのJPEG 2000、またはPNG）と、氏名・住所の画像を書き出します",
		long: `face は、4桁の券面事項入力補助用の暗証番号で券面事項確認APを開き（読み取った個人番号を
照合番号Aとして使います）、顔写真を書き出します。--out はカードのままのJPEG 2000、--png は
PNGに変換したもの（OpenJPEG）です。--name-png と --address-png は券面の氏名と住所の画像を書き出します。
--credential a または b では、照合番号Aまたは照合番号Bを直接入力して開きます。ファイルは個人情報なので、
モード0600で作ります。券面はカード検証用証明書を通じて固定したJ-LISの鍵 5000023（テストのときは
テスト用の鍵、その旨を表示）で検証し、検証できないときは何も書き出さず、終了コード3で終わります。`},
	"help": {short: "コマンドのヘルプを表示します",
		long: "help は、指定したコマンドのヘルプを表示します。例：mynacard help identify"},
	"identify": {short: "本人確認：ご本人が新しいチャレンジに署名し、署名・証明書の検証・失効を確認します",
		long: `identify は、ご本人にカードで新しい乱数のチャレンジへ署名していただき、その署名、
固定したJ-LISのルートまでの証明書の検証、失効状態を確認します。判定にはそれぞれの結果を示します。

通常は署名用の鍵と署名用パスワードを使い、署名用電子証明書からご本人の氏名・住所・生年月日・性別を
表示します（代替文字が含まれるときは注意を表示します。券面と照合してください）。--auth-key では
利用者証明用の鍵と4桁の暗証番号を使います。この証明書には個人情報がなく、答えは登録した方と
同じカードの方かどうかだけです。

--enroll は本人確認の内容（証明書の発行者とシリアル番号、記載事項、日時、担当者）を登録します。
以前の登録が異動前の同じ方のものかもしれないときは、登録せずにそれを表示します。--replaces 登録番号
か --new-holder を付けてもう一度確認してください。--replaces 登録番号 は、異動で失効した証明書の登録に
新しいカードの証明書をつなぎ、新旧の記載事項を並べて表示します。`},
	"pin": {short: "すべての暗証番号の残り回数を表示するか、暗証番号を変更します"},
	"pin change": {short: "署名用パスワード、利用者証明用の暗証番号、券面事項入力補助用の暗証番号を変更します",
		long: `pin change は、今の暗証番号を1回、新しい暗証番号を2回入力していただきます（端末で、
または --pin-stdin で3行）。新しい暗証番号の形式は、今の暗証番号をカードに送る前に確認します。`},
	"pin status": {short: "すべての暗証番号の残り回数を表示します（回数は減りません）"},
	"qualify": {short: "資格確認：利用者証明用の鍵と4桁の暗証番号で確認し、資格情報を有効性1〜6とともに表示します",
		long: `qualify は、ご本人に利用者証明用の鍵（4桁の暗証番号）で新しいチャレンジへ署名していただき、
利用者証明用電子証明書（署名、証明書の検証、失効）を確認して、その発行者とシリアル番号で資格情報
（eligibility import を参照）を探します。答えには保険者の資格確認の回答と同じ項目と有効性を表示します：
1 有効、2 無効、3 無効（新しい資格あり）、4 該当なし、5 複数該当、6 有効（未登録）。
有効性1だけが終了コード0で、2〜6は終了コード5（資格なし）です。`},
	"readers": {short: "カードリーダーと、それぞれにカードがあるかを表示します",
		long: `readers は、PC/SCリーダーを1行に1台ずつ、番号、名前、カードの有無（あればATR）とともに表示します。
番号と、名前の一部で1台に決まるものは --reader に使えます。--json ではJSONの配列
（name、card_present、atr、in_use）を表示し、リーダーがなければ [] です。リーダーとカードの変化を
追うには mynacard watch を使います。`},
	"records":        {short: "確認の記録（ハッシュでつながり、担当者の鍵で署名したもの）を検証するか書き出します"},
	"records export": {short: "すべての記録をJSON Lines（mynacard-record-v1 形式）で書き出します"},
	"records verify": {short: "記録のハッシュのつながり、担当者の署名、チェックポイントを確認します（データベース、または --from の書き出しファイル）",
		long: `records verify は、記録の番号に抜けがないこと、各記録のハッシュがその内容と1つ前の記録のハッシュを
含むこと、各記録が信頼する担当者の証明書（--trust 証明書.pem、複数指定可、または署名した担当者を
一覧する --any-cert。どちらかが必要です）で署名されていることを確認します。署名付きの記録を1件も
検証できなかったときは正常とはしません。

署名付きの記録を書くたびに、データベースの外のチェックポイントファイル（--checkpoint。既定は
SQLiteファイルのパスに ".checkpoint" を付けたもの）に、署名した末尾（記録番号、ハッシュ、担当者の署名）も
書きます。records verify は記録をそれと照合します。チェックポイントより前まで切り詰められたり、
書き換えられたりしたデータベースは不合格とし、残っている最後の記録を示します。チェックポイントより後の
記録は受け付けます（記録の保存とチェックポイントの書き込みの間で止まった場合。次の署名付きの記録で
進みます）。チェックポイントがないのは、署名付きの記録がまだないときだけ受け付けます。それ以外は
不合格です。別に控えた末尾を --expect-head で確認してから --init-checkpoint で書くか、
--no-checkpoint で確認を省きます（結果にその旨を表示します）。

--expect-head 番号:ハッシュ は、そこにあって一致する署名付きの記録を指す必要があります。
確認のどれかが不合格なら終了コード3です。`},
	"serve": {short: "キオスクの画面用のローカルHTTPエージェント（ループバックのみ）を動かし、画面の例を提供します",
		long: `serve は、キオスク（カードリーダーの隣のタッチ画面とWebページ）のためのローカルHTTPエージェントを
動かします。ループバック（127.0.0.1、::1、localhost）でだけ待ち受け（他のアドレスは拒否します）、
次を提供します。

  GET  /            キオスクの画面の例（日本語と英語）
  GET  /v1/readers  リーダー、それぞれのカードとその種類
  GET  /v1/events   カードの出来事（Server-Sent Events。mynacard watch と同じ）
  POST /v1/identify 本人確認
  POST /v1/qualify  資格確認
  POST /v1/changes  異動確認（pin がなければカードを使わず失効だけを確認）
  POST /v1/token    確認トークン（--audience で指定したサービス用。指定がなければ使えません）

答えは identify、qualify、changes が --json で表示するものと同じJSONです。

安全のため、/v1/ の呼び出しにはすべて X-Mynacard-Token ヘッダーのセッショントークンが必要です。
トークンは起動時に表示し、/ の画面に埋め込みます。エージェント自身のもの、または --allow-origin で
指定したもの以外の Origin ヘッダーの要求は、カードを使う前に拒否します（403）。--allow-origin には
https:// のオリジン、またはループバックの http:// だけを指定できます。暗証番号はPOSTの本文でだけ
受け取り、記録に残さず、使った後は消去します。1台のリーダーで同時に行うカードの操作は1つです
（409 "busy"）。暗証番号の最後の1回は使いません（--allow-last-try は指定できません）。

--token-file がなければ起動のたびに新しいトークンを作ります。--token-file パス では、トークンを
そのファイル（なければモード0600で作成）に保存し、再起動しても変わりません。GET /v1/status は、
今の設定で確認ができるかを答えます。OpenAPIの文書は /v1/openapi.json、JavaScriptのクライアントは
/mynacard-client.js にあります。詳しくは --lang en で表示します。

仮想リーダーのドライバー vpcd（mynacard virtual-card で使うもの）はすべてのネットワークで待ち受けます。
本番のキオスクには入れないでください。`},
	"sign": {use: "sign ファイル | sign --pdf 入力.pdf [-o 出力.pdf]",
		short: "カードの署名用の鍵でファイルにCMS署名をします（既定は分離署名、署名用パスワードの入力は1回）",
		long: `sign は、署名用の鍵（署名用電子証明書）でファイルのCMS（PKCS #7）SignedDataを作ります。
ハッシュは証明書の鍵に合わせたもの（RSA-2048のカードではSHA-256）で、署名した属性に署名用電子証明書を
結び付けます。パスワードは1回だけ入力していただき、署名用電子証明書の読み取りと署名に使います。
署名は --out（既定は ファイル名.p7s）に書き出します。--attached ではファイルの内容を署名に含めます。

--pdf 入力.pdf では、PDFそのものにPAdESのベースライン（--level B-B、--tsa URL のRFC 3161の
タイムスタンプ付きの B-T、証明書と --ocsp または --crl の失効情報をPDFのDSSにも入れる B-LT）で
署名し、見えない署名欄を加える追記として --out（既定は 入力-signed.pdf）に書き出します。
パスワードを入力していただく前に、ファイル名、SHA-256、ページ数を表示します。`},
	"status": {short: "リーダー、カードの種類、すべての暗証番号の残り回数を表示します（回数は減りません）"},
	"text": {short: "個人番号と基本4情報（氏名・住所・生年月日・性別）を読み取り、J-LISの鍵で検証します",
		long: `text は券面事項入力補助APを読み取ります。4桁の券面事項入力補助用の暗証番号（既定）では
個人番号（法律で保護された個人情報のため、--show-number を付けない限り一部を隠します）と基本4情報、
--credential a（照合番号A、12桁の個人番号）では個人番号だけ、--credential b（照合番号B）では
基本4情報だけです。記録はカード検証用証明書を通じて固定したJ-LISの鍵 5000033（テストのときは
テスト用の鍵、その旨を表示）で検証し、検証できないときは何も表示せず、理由とともに終了コード3で終わります。`},
	"token": {use: "token --audience サービス --nonce チャレンジ",
		short: "サービスのチャレンジに対する確認トークンを作ります（カードがサービス名とチャレンジに署名します）",
		long: `token は、サービス（--audience）に結び付けたサーバーの1回限りのチャレンジ（nonce）にカードで
署名し、サーバーが確認するトークンをJSONで表示します。通常は利用者証明用の鍵と4桁の暗証番号で
署名します（資格確認、ログイン）。--sign-key では署名用の鍵とパスワードで署名し、ご本人の基本4情報を
サービスに渡します。その内容をまず標準エラー出力に表示し、--consent（窓口でご本人が同意したこと）が
あるときだけカードで署名します。`},
	"verify": {use: "verify 署名ファイル [ファイル] | verify --pdf ファイル",
		short: "署名用の鍵で作ったCMS署名を検証します：署名、固定したルートまでの証明書の検証、失効",
		long: `verify は、CMS署名（mynacard sign で作ったもの）を確認します：内容（分離署名ではファイル）への署名、
固定したJ-LISのルートまでの署名者の証明書の検証（--roots ファイル でルート証明書を渡します。仮想カードの
テスト用のルートは --test-hierarchy のときだけ）、--crl / --ocsp による失効状態です。カードは使いません。

--pdf ファイル では、PDFのすべての版のすべての署名を検証します：署名した範囲、各署名の後に変更された
もの、CMS、証明書の検証、失効、タイムスタンプ（--tsa-roots ファイル で信頼するもの）です。`},
	"virtual-card": {short: "仮想のマイナンバーカード（テスト用の方）を、中断するまで仮想リーダーに置きます",
		long: `virtual-card は、架空のテスト用の方（jpki/jpkitest。テスト用の証明書で、本番では有効になりません）の
仮想のマイナンバーカードを動かし、vpcd の仮想リーダーに入れます。このパソコンのすべてのPC/SCの
プログラムから、カードの入ったリーダーが見えます。Ctrl-C で取り出します。

vpcd ドライバー付きの pcscd が必要です（Debianのパッケージ pcscd と vsmartcard-vpcd）。
テスト用の方の暗証番号は jpki/jpkitest に書いてあります。`},
	"watch": {short: "リーダーとカードの出来事を、中断するまでJSON Linesで表示します",
		long: `watch は、リーダーが変わるたびに1行に1つのJSONオブジェクトを表示します：reader-added、
reader-removed、card-inserted（カードのJPKIのトークンラベルから判定した card_type 付き。ATRからは
判定しません）、card-removed。最初に今の状態を表示し、中断するまで（または --count 件まで）続けます。

--reader は、名前にその値を含むリーダーに絞ります。--reader virtual は内蔵の仮想カードのリーダーを見ます。
card_type は my_number_card、phone_token、old_resident_card、other、unreadable（"error" 付き）のいずれかです。`},
}

// jaFlagHelp holds every flag's Japanese description: "--name" for the
// global flags, "PATH --name" for a command's own, "* --name" for a flag
// several commands share with the same meaning.
var jaFlagHelp = map[string]string{ //nolint:gochecknoglobals // immutable table
	"--reader":            "使うリーダー：名前そのもの、番号、名前の一部、または内蔵のテストカードの \"virtual\"（既定：リーダーが1台ならそれ、カードの入ったリーダーが1台ならそれ。テストカードは指定したときだけ）",
	"--json":              "結果をJSONで表示します（キーは --lang によらず英語）",
	"--trace":             "すべてのAPDUを標準エラー出力に記録します（暗証番号は伏せます）",
	"--lang":              "表示の言語：ja または en（既定：LC_ALL、LC_MESSAGES、LANG から）",
	"--timeout":           "リーダーにカードが置かれるのを待つ時間",
	"--allow-last-try":    "暗証番号の最後の1回を使うことを認めます（誤るとロックされます）",
	"--pin-stdin":         "暗証番号を標準入力から1行ずつ読みます（スクリプト用。暗証番号を引数に書かないでください）",
	"--pin-fd":            "暗証番号をこの開いたファイル記述子から1行ずつ読みます",
	"--db":                "データベース：SQLiteファイルのパス、または postgres:// のDSN（既定：$XDG_DATA_HOME/mynacard/mynacard.db）",
	"--checkpoint":        "署名付きの記録の末尾を保存するファイル。署名付きの記録のたびに書き、records verify が確認します（既定：SQLiteファイルのパス + .checkpoint）",
	"--crl":               "失効確認に使う失効リスト：ファイル、*.crl/*.der/*.pem のあるフォルダ、または http(s) のURL（複数指定可）",
	"--crl-cache":         "検証済みの失効リストの索引を保存するフォルダ（既定：ユーザーのキャッシュフォルダの mynacard/crl-index。\"off\"：毎回すべての失効リストを読みます）",
	"--ocsp":              "失効確認に使うOCSPレスポンダーのURL",
	"--revocation":        "失効確認の方針：hard（「有効」だけを通す）、soft（「不明」は通し、失効は不合格）、off（確認しない）",
	"--roots":             "J-LISのルート証明書のファイル（PEMまたはDER）。固定したフィンガープリントと一致するときだけ使います（複数指定可）",
	"--test-hierarchy":    "実際のリーダーでも仮想テストカードのルート（O=JPKI-TEST）を信頼します。結果はテストカードと表示します",
	"--speculative-ecdsa": "次世代カードの未公開の手順の推測で、ECDSAのカードの鍵で署名します。内蔵の仮想カードはECDSA P-384のテストカードになります",
	"--operator":          "記録に残す担当者または端末の名前（既定：ログイン名）",
	"--operator-key":      "すべての記録に署名する担当者の鍵（PEMのPKCS #8。--operator-cert と一緒に）",
	"--operator-cert":     "--operator-key の証明書（PEM）",
	"--operator-piv":      "このリーダーのPIVトークン（スロット9c）で記録に署名します（\"any\"：最初のPIVトークン）。そのPINはカードの暗証番号の後に入力します",

	"age --over":                             "確認する年齢：ご本人が今日この年齢以上か",
	"cert --out":                             "標準出力の代わりに書き出すファイル（端末で --format der のときは必要です）",
	"cert --force":                           "--out のとき：ファイルがあれば置き換えます",
	"age --no-record":                        "データベースがあっても記録を残しません（既定では、--db のデータベースか、あればユーザーのものに、判定・日時・カードの鍵IDを記録します。個人情報は残しません）",
	"identify --no-record":                   "--chip のとき：記録を残さず、データベースも使いません（この方法の決まりでは記録が必要です。別に記録を残す場合だけ使ってください）",
	"sign --force":                           "出力ファイルがあれば置き換えます（既定では、あるファイルはそのままにして署名しません）",
	"cert --format":                          "出力の形式：text、pem、der、json",
	"changes --all":                          "現在の署名用電子証明書の登録をすべて確認します",
	"face --address-png":                     "券面の住所の画像を書き出すファイル",
	"* --credential":                         "アプリケーションを開くもの：pin（4桁の暗証番号）、a（照合番号A、12桁の個人番号）、b（照合番号B、和暦の生年月日YYMMDD + 有効期限の西暦年 + セキュリティコード）",
	"face --name-png":                        "券面の氏名の画像を書き出すファイル",
	"face --out":                             "顔写真をカードのまま（JPEG 2000）書き出すファイル",
	"face --png":                             "顔写真をPNGに変換して書き出すファイル",
	"identify --audience":                    "--token のとき：トークンを渡すサービス（サーバーの設定にあるもの）",
	"identify --auth-key":                    "利用者証明用の鍵と4桁の暗証番号を使います。答えは「登録した方と同じカードの方」かどうかだけです",
	"identify --chip":                        "ICチップの読み取りで本人確認をします（照合番号B）：発行者の鍵による券面の検証、チップの確認、有効期限、失効。顔写真は照合用に --out に書き出します",
	"identify --compare-text":                "カードの券面事項入力補助APも読み（パスワードの後に4桁の暗証番号）、基本4情報を証明書と照合します",
	"identify --consent":                     "--token のとき：ご本人が基本4情報を渡すことに同意しました",
	"identify --enroll":                      "判定が正常のとき、本人確認の内容を登録します",
	"identify --new-holder":                  "以前の登録が異動前の同じ方のものかもしれないときも登録します（担当者が別の方と確認したとき）",
	"identify --nonce":                       "--token のとき：サーバーの1回限りのチャレンジ",
	"identify --out":                         "--chip のとき：face.png、name.png、address.png を書き出すフォルダ（モード0600）",
	"identify --replaces":                    "異動で証明書が失効した登録の番号：新しい証明書をそれにつなぎます",
	"identify --with-text":                   "--chip のとき：ご本人に4桁の暗証番号も入力していただき（照合番号Bの後。引数には書きません）、氏名・住所・生年月日・性別を文字で読み取って発行者の鍵で検証します",
	"identify --keep-photo":                  "--chip のとき：記録に顔写真も残します。カードのまま（jp2）またはPNG（png）。既定では顔写真のSHA-256だけを残します",
	"identify --token":                       "判定の代わりに、サーバーのチャレンジ（--audience、--nonce）への確認トークンを表示します",
	"qualify --audience":                     "--token のとき：トークンを渡すサービス（サーバーの設定にあるもの）",
	"qualify --nonce":                        "--token のとき：サーバーの1回限りのチャレンジ",
	"qualify --token":                        "答えの代わりに、サーバーのチャレンジ（--audience、--nonce）への確認トークン（利用者証明用の鍵）を表示します",
	"records export --out":                   "標準出力の代わりに書き出すファイル（モード0600で作成。上書きはしません）",
	"records verify --allow-unsealed-prefix": "担当者の鍵を設定する前に書いた署名のない記録を受け付けます",
	"records verify --any-cert":              "どの担当者の証明書も受け付け、署名した担当者を一覧します",
	"records verify --expect-head":           "別に控えた末尾（番号:16進数）。記録はそこに届き、一致する必要があります",
	"records verify --from":                  "データベースの代わりに書き出しファイルを検証します",
	"records verify --init-checkpoint":       "チェックポイントがまだないとき：検証してから、検証した末尾で書きます",
	"records verify --no-checkpoint":         "記録をチェックポイントと照合しません（結果にその旨を表示します）",
	"records verify --trust":                 "信頼する担当者の証明書（PEM、複数指定可）",
	"serve --allow-origin":                   "エージェント自身のほかにAPIを呼べるWebのオリジン（scheme://host[:port]、複数指定可）",
	"serve --audience":                       "POST /v1/token の確認トークンを結び付けるサービスの識別子（空：使えません）",
	"serve --idle-timeout":                   "画面に触れないとき、結果や入力途中の暗証番号を表示しておく時間",
	"serve --listen":                         "待ち受けるループバックのアドレスとポート（127.0.0.1:PORT、[::1]:PORT、localhost:PORT）",
	"serve --op-timeout":                     "カードの操作1回の制限時間",
	"serve --token-file":                     "再起動してもセッショントークンを保つファイル（なければモード0600で作成）",
	"sign --attached":                        "ファイルの内容を署名に含めます",
	"sign --certify":                         "PDF：認証署名。1 変更不可、2 フォームの入力と署名を許可、3 注釈も許可",
	"sign --contact":                         "PDF：署名者の連絡先",
	"sign --font":                            "PDF：--text に使うTrueTypeフォントのファイル（既定：fonts-ipafont-gothic のIPAゴシック）",
	"sign --level":                           "PDF：PAdESのベースラインのレベル B-B、B-T、B-LT",
	"sign --location":                        "PDF：署名した場所",
	"sign --out":                             "署名のファイル（既定：ファイル名.p7s）",
	"sign --page":                            "PDF：署名欄を置くページ",
	"sign --pdf":                             "CMSのファイルを作る代わりに、このPDFに署名します（PAdES）",
	"sign --reason":                          "PDF：署名の理由",
	"sign --rect":                            "PDF：ページの左下からのポイントで X1,Y1,X2,Y2。見える署名にします（既定は見えない署名）",
	"sign --text":                            "PDF：見える署名の文字（\"\\n\" で改行）。埋め込んだフォントで描きます",
	"sign --tsa":                             "PDF：RFC 3161のタイムスタンプ局のURL（B-T、B-LT）",
	"sign --tsa-roots":                       "PDF：タイムスタンプ局がつながる必要のあるルートのPEMファイル",
	"text --show-number":                     "個人番号を隠さずに表示します",
	"token --audience":                       "トークンを渡すサービス（サーバーの設定にあるもの）",
	"token --consent":                        "ご本人が基本4情報を渡すことに同意しました（--sign-key のとき必要）",
	"token --nonce":                          "サーバーの1回限りのチャレンジ",
	"token --sign-key":                       "署名用の鍵で署名します（氏名・住所・生年月日・性別を渡します）",
	"verify --pdf":                           "このPDFの署名を検証します",
	"verify --tsa-roots":                     "PDF：信頼するタイムスタンプ局のルートのPEMファイル",
	"virtual-card --slot":                    "vpcd のスロット（0 は \"Virtual PCD 00 00\"、1 は \"Virtual PCD 00 01\"）",
	"watch --count":                          "この件数の出来事の後に止まります（0：中断するまで）",
	"* --no-descriptions":                    "補完の候補に説明を付けません",
	"watch --no-detect":                      "入れたカードと通信しません（card_type は空のまま）",
}
