// CSV import: the server checks the whole file and imports all rows or none; when it refuses,
// every problem is listed with its line and field so the file can be fixed in one pass.
import { Alert, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { useFeedback } from '../../common/feedback';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type ErrorDetail } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';

export interface ImportProblem {
  key: number;
  line: number | null;
  field: string;
  message: string;
}

/** "line 12: gbId" → line 12, field gbId; "line 1" → line 1, no field. */
export function toImportProblems(details: readonly ErrorDetail[]): ImportProblem[] {
  return details.map((d, i) => {
    const m = /^line (\d+)(?::\s*(.*))?$/.exec(d.path ?? '');
    return m ? { key: i, line: Number(m[1]), field: m[2] ?? '', message: d.message } : { key: i, line: null, field: d.path ?? '', message: d.message };
  });
}

export function CameraImport({ open, onClose, onImported }: { open: boolean; onClose(): void; onImported(): void }) {
  const { t } = useTranslation();
  const { message } = useFeedback();
  const report = useErrorReporter();
  const [busy, setBusy] = useState(false);
  const [fileName, setFileName] = useState<string>();
  const [failure, setFailure] = useState<ApiError>();

  const upload = async (file: File) => {
    setBusy(true);
    setFailure(undefined);
    setFileName(file.name);
    try {
      const r = await api.cameras.importCsv(await file.text());
      message.success(t('cameras.import.done', { count: r.imported }));
      onImported();
    } catch (e) {
      // A refused file is shown in the dialog, row by row; anything else is a plain error.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) setFailure(e);
      else report(e);
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setFailure(undefined);
    setFileName(undefined);
    onClose();
  };

  return (
    <Modal open={open} title={t('cameras.import.title')} onCancel={close} footer={<Button onClick={close}>{t('common.close')}</Button>} width={760}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('cameras.import.help')}
        </Typography.Paragraph>
        <Upload
          accept=".csv,text/csv"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button loading={busy} type="primary" data-testid="import-choose">
            {t('cameras.import.choose')}
          </Button>
        </Upload>
        {fileName && <Typography.Text>{fileName}</Typography.Text>}
        {failure && (
          <div data-testid="import-problems">
            <Alert type="error" showIcon message={t('cameras.import.refused')} description={failure.message} style={{ marginBottom: 8 }} />
            <ArticleTags articles={failure.articles} label />
            <Table<ImportProblem>
              size="small"
              rowKey="key"
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              dataSource={toImportProblems(failure.details)}
              columns={[
                { title: t('cameras.import.line'), dataIndex: 'line', width: 80, render: (v: number | null) => v ?? '—' },
                { title: t('cameras.import.field'), dataIndex: 'field', width: 160, render: (v: string) => (v ? <Typography.Text code>{v}</Typography.Text> : '—') },
                { title: t('cameras.import.problem'), dataIndex: 'message' },
              ]}
            />
          </div>
        )}
      </Space>
    </Modal>
  );
}
