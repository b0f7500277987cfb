describe('openPcapLink without the optional `cap` module', () => {
  afterEach(() => {
    jest.resetModules();
  });

  it('fails with a message naming the missing package and how to get it', () => {
    jest.doMock(
      'cap',
      () => {
        throw new Error("Cannot find module 'cap'");
      },
      { virtual: true },
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openPcapLink } =
      require('./pcapLink') as typeof import('./pcapLink');
    expect(() => openPcapLink('eth0')).toThrow(
      /optional dependency `cap`.*libpcap-dev.*npm install/s,
    );
  });
});
