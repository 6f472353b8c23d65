console.log('browser host: not yet built')
