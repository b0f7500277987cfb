import { Content, Header, Page, Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { exposurePoolManagePermission } from '@portico/plugin-exposure-common';
import { Box, Tab, Tabs } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import { useSearchParams } from 'react-router-dom';
import { ApprovalsTab } from './ApprovalsTab';
import { AuditTab } from './AuditTab';
import { ClustersTab } from './ClustersTab';
import { PoolDetail } from './PoolDetail';
import { PoolsTab } from './PoolsTab';
import { SegmentsTab } from './SegmentsTab';

const tabs = [
  { id: 'pools', label: 'Pools' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'clusters', label: 'Clusters' },
  { id: 'segments', label: 'Network segments' },
] as const;
type TabId = (typeof tabs)[number]['id'];

/**
 * The platform admin page. The tab and the open pool live in the URL
 * (`?tab=approvals`, `?pool=prod-external`) so they survive a reload and can be
 * linked.
 */
export function AdminPageContent() {
  const manage = usePermission({ permission: exposurePoolManagePermission });
  const [params, setParams] = useSearchParams();

  if (manage.loading) return <Progress />;
  if (!manage.allowed) {
    return (
      <Alert severity="warning">
        <AlertTitle>Not allowed</AlertTitle>
        The exposure admin page is for the platform team: it needs the{' '}
        {exposurePoolManagePermission.name} permission, which members of the
        platform admin group hold. To get an address for a Service, use the
        request page.
      </Alert>
    );
  }

  const pool = params.get('pool');
  const tab: TabId = tabs.some(t => t.id === params.get('tab'))
    ? (params.get('tab') as TabId)
    : 'pools';

  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, value: TabId) => setParams({ tab: value })}
        indicatorColor="primary"
      >
        {tabs.map(t => (
          <Tab key={t.id} value={t.id} label={t.label} />
        ))}
      </Tabs>
      <Box mt={2}>
        {tab === 'pools' && pool && (
          <PoolDetail name={pool} onBack={() => setParams({ tab: 'pools' })} />
        )}
        {tab === 'pools' && !pool && (
          <PoolsTab
            onOpenPool={name => setParams({ tab: 'pools', pool: name })}
          />
        )}
        {tab === 'approvals' && <ApprovalsTab />}
        {tab === 'audit' && <AuditTab />}
        {tab === 'clusters' && <ClustersTab />}
        {tab === 'segments' && <SegmentsTab />}
      </Box>
    </>
  );
}

/** The page for the legacy frontend system, which brings its own layout. */
export function AdminPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Exposure admin"
        subtitle="Pools, approvals, audit and segments"
      />
      <Content>
        <AdminPageContent />
      </Content>
    </Page>
  );
}
